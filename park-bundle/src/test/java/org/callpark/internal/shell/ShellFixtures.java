package org.callpark.internal.shell;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

import org.apache.karaf.shell.api.action.Action;
import org.callpark.api.CallState;
import org.callpark.api.CallerId;
import org.callpark.api.Directory;
import org.callpark.api.ParkGroup;
import org.callpark.api.ParkedCall;
import org.callpark.api.RecallMode;
import org.callpark.api.RecallPolicy;
import org.callpark.api.RingGroup;
import org.callpark.api.SlotId;
import org.callpark.api.Tenant;
import org.callpark.api.TenantId;
import org.callpark.api.User;

/**
 * A small world for the shell tests. Tenants {@code default} (pbx.test) and {@code acme} (acme.test); park groups
 * {@code Sales} (700: 101 Bob, 102 Alice; user then ring group Reception) and {@code Old} (disabled until empty) in
 * default, {@code Support} in acme. Three live calls, at {@link #NOW} 10:15:00 UTC:
 * <ul>
 * <li>{@link #SALES_CALL} on group Sales, parked by 101 at 10:12:55, recalling 2/3;</li>
 * <li>{@link #ALICE_CALL} on ext 102 by 102 at 10:14:30, a caller with odd characters;</li>
 * <li>{@link #ACME_CALL} on acme ext 201 at 09:00:00, no parker.</li>
 * </ul>
 */
public final class ShellFixtures {

    public static final TenantId DEFAULT = TenantId.DEFAULT;
    public static final TenantId ACME = TenantId.of("acme");
    public static final Instant NOW = Instant.parse("2026-03-02T10:15:00Z");
    public static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    public static final String BOB_PASSWORD = "bob-Secret-1";
    public static final String ALICE_PASSWORD = "alice-Secret-2";
    public static final String CAROL_PASSWORD = "carol-Secret-3";
    /** Carol is known by HA1 only, as on a node that adopted the cluster's directory (S1). */
    public static final String CAROL_HA1 = User.ha1("201", "acme.test", CAROL_PASSWORD);

    public static final String SALES_CALL = "a1b2c3d4-1111-4000-8000-000000000001";
    public static final String ALICE_CALL = "a1b2ffee-2222-4000-8000-000000000002";
    public static final String ACME_CALL = "b9e8d7c6-3333-4000-8000-000000000003";

    /** Printable but unusual: quotes, angle brackets, a format specifier, braces, non-ASCII. */
    public static final String ODD_NAME = "Zoë \"O'Brien\" <VIP> 100%s {x} ☎";

    private ShellFixtures() {
    }

    static final RecallPolicy SALES_POLICY = new RecallPolicy(RecallMode.USER_THEN_RING_GROUP, "Reception",
            List.of("100", "105"), Duration.ofSeconds(30), Duration.ofSeconds(15), 3);
    static final RecallPolicy USER_POLICY = new RecallPolicy(RecallMode.USER_ONLY, null, List.of(),
            Duration.ofSeconds(60), Duration.ofSeconds(20), 2);

    public static Directory directory() {
        List<Tenant> tenants = List.of(
                new Tenant(DEFAULT, "Default Inc", List.of("pbx.test"), "xmpp.pbx.test", USER_POLICY),
                new Tenant(ACME, "Acme Ltd", List.of("acme.test"), "", USER_POLICY));
        List<User> users = List.of(
                new User(DEFAULT, "100", "Desk", "desk-Secret-0", ""),
                new User(DEFAULT, "101", "Bob", BOB_PASSWORD, "bob@xmpp.pbx.test"),
                new User(DEFAULT, "102", "Alice", ALICE_PASSWORD, "alice@xmpp.pbx.test"),
                new User(DEFAULT, "105", "Eve", "eve-Secret-5", ""),
                new User(ACME, "201", "Carol", "", "", CAROL_HA1));
        List<RingGroup> ringGroups = List.of(new RingGroup(DEFAULT, "Reception", List.of("100", "105")));
        List<ParkGroup> parkGroups = List.of(
                new ParkGroup(DEFAULT, "Sales", "700", List.of("101", "102"), RecallMode.USER_THEN_RING_GROUP,
                        "Reception", Duration.ofSeconds(30), Duration.ofSeconds(15), 3, false),
                new ParkGroup(DEFAULT, "Old", "", List.of(), RecallMode.USER_ONLY, "", Duration.ofSeconds(60),
                        Duration.ofSeconds(20), 2, true),
                new ParkGroup(ACME, "Support", "", List.of("201"), RecallMode.USER_ONLY, "", Duration.ofSeconds(45),
                        Duration.ofSeconds(10), 1, false));
        return new Directory(DEFAULT, tenants, users, ringGroups, parkGroups);
    }

    public static ParkedCall call(String id, SlotId slot, CallerId caller, String parkedBy, String parkedAt,
            CallState state, int attempt, RecallPolicy policy) {
        return new ParkedCall(id, slot, caller, parkedBy, "", Instant.parse(parkedAt), 0, state, null, attempt, policy,
                "node-1", "leg-" + id, null, 1);
    }

    public static List<ParkedCall> calls() {
        return List.of(
                call(SALES_CALL, SlotId.group(DEFAULT, "Sales"), CallerId.of("+4930123", "Customer"), "101",
                        "2026-03-02T10:12:55Z", CallState.RECALLING, 2, SALES_POLICY),
                call(ALICE_CALL, SlotId.extension(DEFAULT, "102"), CallerId.of("+4940999", ODD_NAME), "102",
                        "2026-03-02T10:14:30Z", CallState.PARKED, 0, SALES_POLICY),
                call(ACME_CALL, SlotId.extension(ACME, "201"), CallerId.of("555", ""), "",
                        "2026-03-02T09:00:00Z", CallState.PARKED, 0, USER_POLICY));
    }

    public static ShellTestCallParkService park() {
        return new ShellTestCallParkService(calls());
    }

    public static ShellTestDirectoryService directories() {
        return new ShellTestDirectoryService(directory());
    }

    /** Runs the action and returns what it printed to System.out. */
    public static String run(Action action) throws Exception {
        PrintStream old = System.out;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        try {
            action.execute();
        } finally {
            System.setOut(old);
        }
        return buffer.toString(StandardCharsets.UTF_8);
    }

    /** The one printed line containing {@code needle}; fails if there is none or several. */
    public static String line(String output, String needle) {
        List<String> lines = Arrays.stream(output.split("\\R")).filter(l -> l.contains(needle))
                .collect(Collectors.toList());
        if (lines.size() != 1) {
            throw new AssertionError("expected one line with '" + needle + "' but found " + lines.size() + " in:\n"
                    + output);
        }
        return lines.get(0);
    }

    /** The cells of the one printed table row whose first cell is {@code first}. */
    public static List<String> row(String output, String first) {
        List<List<String>> rows = Arrays.stream(output.split("\\R")).map(ShellFixtures::cells)
                .filter(c -> c.get(0).equals(first)).collect(Collectors.toList());
        if (rows.size() != 1) {
            throw new AssertionError("expected one row starting '" + first + "' but found " + rows.size() + " in:\n"
                    + output);
        }
        return rows.get(0);
    }

    /** The cells of a table row printed by ShellTable (ASCII or Unicode separators), trimmed. */
    public static List<String> cells(String row) {
        return Arrays.stream(row.split(" [|│] ", -1)).map(String::trim).collect(Collectors.toList());
    }
}
