package org.callpark.internal.shell;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

import org.callpark.api.CallState;
import org.callpark.api.CallerId;
import org.callpark.api.Directory;
import org.callpark.api.ParkGroup;
import org.callpark.api.ParkedCall;
import org.callpark.api.RecallMode;
import org.callpark.api.SlotId;
import org.callpark.api.SlotKind;
import org.callpark.api.Tenant;
import org.callpark.api.TenantId;
import org.callpark.api.User;

/** How the shell spells things for people. Stateless helpers shared by the commands. */
final class ShellText {

    static final String NONE = "-";
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    private ShellText() {
    }

    /** {@code group Sales} (the directory's spelling) or {@code ext 101 (Bob)}. */
    static String slot(Directory directory, SlotId slot) {
        if (slot.kind() == SlotKind.GROUP) {
            String name = directory.parkGroup(slot.tenant(), slot.name()).map(ParkGroup::name).orElse(slot.name());
            return "group " + name;
        }
        Optional<User> user = directory.user(slot.tenant(), slot.name());
        return user.filter(u -> !u.displayName().isEmpty())
                .map(u -> "ext " + slot.name() + " (" + u.displayName() + ")")
                .orElse("ext " + slot.name());
    }

    /** {@code 101 Bob}, {@code 101} for an extension without a user, {@code -} for none. */
    static String user(Directory directory, TenantId tenant, String extension) {
        if (extension == null || extension.isEmpty()) {
            return NONE;
        }
        return directory.user(tenant, extension).filter(u -> !u.displayName().isEmpty())
                .map(u -> extension + " " + u.displayName()).orElse(extension);
    }

    /** {@code 101 Bob, 102 Alice}, or {@code -}. */
    static String members(Directory directory, TenantId tenant, List<String> extensions) {
        if (extensions.isEmpty()) {
            return NONE;
        }
        return extensions.stream().map(e -> user(directory, tenant, e)).collect(Collectors.joining(", "));
    }

    /** The caller as their phone presented them, with control characters made visible (it is untrusted text). */
    static String caller(CallerId caller) {
        return untrusted(caller.describe());
    }

    /**
     * Text from outside (caller ids) as-is, except control characters, which could move the cursor or recolour the
     * operator's terminal: they are shown as {@code \x1b} etc.
     */
    static String untrusted(String text) {
        StringBuilder out = new StringBuilder(text.length());
        text.codePoints().forEach(cp -> {
            if (Character.isISOControl(cp)) {
                out.append(String.format(Locale.ROOT, "\\x%02x", cp));
            } else {
                out.appendCodePoint(cp);
            }
        });
        return out.toString();
    }

    /** {@code 45s}, {@code 2m05s}, {@code 1h02m05s}; never negative (clock skew between nodes). */
    static String waiting(Duration duration) {
        long total = Math.max(0, duration.getSeconds());
        long h = total / 3600;
        long m = total % 3600 / 60;
        long s = total % 60;
        if (h > 0) {
            return String.format(Locale.ROOT, "%dh%02dm%02ds", h, m, s);
        }
        if (m > 0) {
            return String.format(Locale.ROOT, "%dm%02ds", m, s);
        }
        return s + "s";
    }

    /** Local wall-clock time {@code HH:mm:ss}. */
    static String since(Instant at, ZoneId zone) {
        return LocalTime.ofInstant(at, zone).format(TIME);
    }

    /** {@code parked}, {@code recalling 2/3}, or {@code parked, recall 1/3 unanswered} between attempts. */
    static String state(ParkedCall call) {
        int retries = call.recall().retries();
        if (call.state() == CallState.RECALLING) {
            return "recalling " + call.recallAttempt() + "/" + retries;
        }
        if (call.state() == CallState.PARKED && call.recallAttempt() > 0) {
            return "parked, recall " + call.recallAttempt() + "/" + retries + " unanswered";
        }
        return call.state().name().toLowerCase(Locale.ROOT);
    }

    /** {@code user only}, {@code user then ring group}, {@code ring group only}. */
    static String recallTo(RecallMode mode) {
        return mode.name().toLowerCase(Locale.ROOT).replace('_', ' ');
    }

    static String seconds(Duration duration) {
        return Long.toString(duration.getSeconds());
    }

    /** {@code active}, {@code disabled until empty}, plus {@code , 2 parked} when calls wait in it. */
    static String groupStatus(ParkGroup group, String parked) {
        String status = group.disabled() ? "disabled until empty" : "active";
        return parked.equals("0") ? status : status + ", " + parked + " parked";
    }

    static String orNone(String text) {
        return text == null || text.isEmpty() ? NONE : text;
    }

    /** The first 8 characters of a call id. */
    static String shortId(String id) {
        return id.length() <= 8 ? id : id.substring(0, 8);
    }

    /**
     * The tenant named by a {@code --tenant} option, or {@code null} when the option was not given.
     *
     * @throws IllegalArgumentException for a malformed or unknown tenant, naming the known ones
     */
    static TenantId tenant(Directory directory, String option) {
        if (option == null) {
            return null;
        }
        TenantId id;
        try {
            id = TenantId.of(option.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--tenant: " + e.getMessage(), e);
        }
        if (directory.tenant(id).isEmpty()) {
            throw new IllegalArgumentException("--tenant: unknown tenant '" + option + "' (tenants: "
                    + directory.tenants().stream().map(t -> t.id().value()).collect(Collectors.joining(", ")) + ")");
        }
        return id;
    }

    /** The given tenant, or every tenant of the directory. */
    static List<Tenant> tenants(Directory directory, TenantId only) {
        return only == null ? directory.tenants() : directory.tenant(only).map(List::of).orElse(List.of());
    }
}
