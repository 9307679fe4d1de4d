package org.callpark.internal.directory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.HashSet;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

import org.callpark.api.Directory;
import org.callpark.api.DirectoryService;
import org.callpark.api.ParkException;
import org.callpark.api.ParkException.Violation;
import org.callpark.api.ParkGroup;
import org.callpark.api.ParkedCall;
import org.callpark.api.SlotId;
import org.callpark.api.User;
import org.callpark.spi.SlotStore;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.callpark.spi.json.DirectoryKeys;
import org.callpark.spi.json.DirectoryModel;
import org.callpark.spi.json.DirectoryParser;
import org.callpark.spi.json.DirectoryWriter;

/**
 * The directory, read from ConfigAdmin PID {@code org.callpark.directory} ({@code etc/org.callpark.directory.cfg}) and
 * hot-reloaded. A change is parsed and validated as a whole ({@link DirectoryProperties}); an invalid one is logged
 * (one warning naming every violation) and the previous directory stays active. In a cluster the configuration is a
 * mirror of the cluster's directory, kept in step by {@code internal.cluster.ClusterDirectory}; this class does not
 * know about it. A park group removed while calls wait in its slot stays in
 * {@link #current()} as {@linkplain ParkGroup#asDisabled() disabled} until its slot is empty.
 */
@Component(service = DirectoryService.class, configurationPid = DirectoryKeys.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
public final class DirectoryServiceImpl implements DirectoryService {

    private static final Logger LOG = LoggerFactory.getLogger(DirectoryServiceImpl.class);

    private final ConfigurationAdmin configAdmin;
    private final SlotStore store;
    private final DirectoryParser parser = new DirectoryParser();
    private final DirectoryValidator validator = new DirectoryValidator();
    private final DirectoryWriter writer = new DirectoryWriter();

    /** Guards {@link #configured} and {@link #draining}; held while a change is applied or a store event handled. */
    private final Object lock = new Object();
    /** Serialises {@link #update}: persist and apply in the same order. */
    private final Object updateLock = new Object();
    private Directory configured = Directory.empty();
    private final Map<SlotId, Draining> draining = new LinkedHashMap<>();
    /** The published snapshot: the configured directory plus the disabled-until-empty groups. */
    private volatile Directory current = Directory.empty();
    private volatile AutoCloseable watch;

    /** A removed park group that still holds calls, with the ids of its live calls. */
    private static final class Draining {
        final ParkGroup group;
        final Set<String> live;
        /** {@code false} if the store could not be asked: never dropped until asked again at the next change. */
        final boolean verified;

        Draining(ParkGroup group, Set<String> live, boolean verified) {
            this.group = group;
            this.live = live;
            this.verified = verified;
        }
    }

    @Activate
    public DirectoryServiceImpl(@Reference(name = "configAdmin") ConfigurationAdmin configAdmin,
            @Reference(name = "store") SlotStore store) {
        this.configAdmin = Objects.requireNonNull(configAdmin, "configAdmin");
        this.store = Objects.requireNonNull(store, "store");
    }

    @Activate
    void activate(Map<String, Object> properties) {
        watch = store.watch(this::slotChanged);
        configure(properties);
    }

    @Modified
    void modified(Map<String, Object> properties) {
        configure(properties);
    }

    @Deactivate
    void deactivate() {
        AutoCloseable w = watch;
        watch = null;
        if (w != null) {
            try {
                w.close();
            } catch (Exception e) {
                LOG.debug("Closing the slot store watch failed", e);
            }
        }
    }

    /**
     * Reads a configuration: applies it if it is valid as a whole, else logs every violation and keeps the previous
     * directory (the empty one before any valid configuration). A configuration without any directory key while a
     * directory is held is not applied either ("no directory", docs/cluster-directory.md; an empty directory written
     * on purpose, {@code tenants =}, is applied): that is the file deleted, or read by fileinstall while it was being
     * written (seen in a system test: for 20 ms every tenant was unknown, and a REST call got 404, a call would have
     * got 404 too); {@code ClusterDirectory} writes the cluster's revision back into the configuration, which is then
     * applied as usual.
     *
     * @return the violations, empty if the configuration was applied or an empty one was passed over
     */
    List<Violation> configure(Map<String, ?> properties) {
        DirectoryProperties.Checked checked = DirectoryProperties.check(properties, current);
        if (!DirectoryProperties.holdsDirectory(properties) && !current.tenants().isEmpty()) {
            LOG.info("Configuration {} holds no directory key (the file was deleted, or read while being written): "
                    + "the current directory stays until the cluster's is written back", DirectoryKeys.PID);
            return List.of();
        }
        List<Violation> violations = checked.violations();
        if (!checked.isValid()) {
            LOG.warn("Configuration {} rejected, the previous directory stays active (and is what the other nodes "
                    + "keep: nothing is shared); {} problem(s): {}", DirectoryKeys.PID, violations.size(),
                    violations.stream().map(Violation::toString).collect(Collectors.joining("; ")));
            return violations;
        }
        apply(checked.directory());
        return List.of();
    }

    @Override
    public Directory current() {
        return current;
    }

    @Override
    public List<Violation> validate(Directory candidate) {
        Objects.requireNonNull(candidate, "candidate");
        List<Violation> violations = validator.validate(candidate);
        if (violations.isEmpty()) {
            violations = validator.validateChange(current, DirectoryModel.of(candidate));
        }
        if (violations.isEmpty()) {
            // What is persisted must read back valid too (it always should; this guards the writer).
            violations = parser.parse(writer.write(candidate)).violations();
        }
        return violations;
    }

    @Override
    public void update(Directory candidate) throws ParkException {
        List<Violation> violations = validate(candidate);
        if (!violations.isEmpty()) {
            throw ParkException.invalid(violations);
        }
        Map<String, String> properties = writer.write(candidate);
        // Apply what will be read back (lower-case domains, resolved ring group members), not the caller's object.
        Directory normalized = parser.parse(properties).model().toDirectory();
        synchronized (updateLock) {
            try {
                Configuration configuration = configAdmin.getConfiguration(DirectoryKeys.PID, "?");
                Hashtable<String, Object> dictionary = new Hashtable<>(properties);
                Dictionary<String, Object> previous = configuration.getProperties();
                Object file = previous == null ? null : previous.get(DirectoryKeys.FILEINSTALL_FILENAME);
                if (file != null) {
                    // FileInstall writes the change back to the file it came from
                    dictionary.put(DirectoryKeys.FILEINSTALL_FILENAME, file);
                }
                configuration.update(dictionary);
            } catch (IOException e) {
                throw new ParkException(ParkException.Reason.STORE_UNAVAILABLE,
                        "the directory could not be saved to configuration " + DirectoryKeys.PID + ": " + e.getMessage(),
                        e);
            }
            apply(normalized);
        }
    }

    /** Makes a valid directory active; removed groups that still hold live calls stay, disabled. */
    private void apply(Directory next) {
        synchronized (lock) {
            if (DirectoryModel.of(next).equals(DirectoryModel.of(configured))) {
                LOG.debug("Configuration {} unchanged", DirectoryKeys.PID);
                return;
            }
            Set<SlotId> kept = next.allParkGroups().stream().map(ParkGroup::slot).collect(Collectors.toSet());
            Map<SlotId, ParkGroup> removed = new LinkedHashMap<>();
            for (Draining d : draining.values()) {
                removed.put(d.group.slot(), d.group);
            }
            for (ParkGroup g : configured.allParkGroups()) {
                removed.put(g.slot(), g);
            }
            removed.keySet().removeAll(kept); // a re-created group (any case) replaces its disabled twin
            draining.clear();
            for (ParkGroup g : removed.values()) {
                try {
                    Set<String> live = new HashSet<>();
                    for (ParkedCall call : store.find(g.slot())) {
                        if (call.isLive()) {
                            live.add(call.id());
                        }
                    }
                    if (!live.isEmpty()) {
                        draining.put(g.slot(), new Draining(g, live, true));
                    }
                } catch (ParkException e) {
                    LOG.warn("Park group '{}' of tenant '{}' was removed but the slot store cannot say whether it "
                            + "holds calls ({}); it stays disabled until the next directory change", g.name(),
                            g.tenant(), e.getMessage());
                    draining.put(g.slot(), new Draining(g, new HashSet<>(), false));
                }
            }
            configured = next;
            publish();
            LOG.info("Directory updated: {} tenant(s), {} user(s), {} ring group(s), {} park group(s){}",
                    next.tenants().size(), next.allUsers().size(), next.allRingGroups().size(),
                    next.allParkGroups().size(), draining.isEmpty() ? ""
                            : "; disabled until empty: " + draining.values().stream()
                                    .map(d -> d.group.slot().key()).collect(Collectors.joining(", ")));
        }
    }

    /** Store events: a disabled group goes away once its slot holds no live call. */
    private void slotChanged(ParkedCall before, ParkedCall after) {
        ParkedCall call = after != null ? after : before;
        if (call == null) {
            return;
        }
        synchronized (lock) {
            Draining d = draining.get(call.slot());
            if (d == null) {
                return;
            }
            if (after != null && after.isLive()) {
                d.live.add(after.id());
            } else {
                d.live.remove(call.id());
            }
            if (d.verified && d.live.isEmpty()) {
                draining.remove(call.slot());
                publish();
                LOG.info("Removed park group '{}' of tenant '{}': its last parked call is gone", d.group.name(),
                        d.group.tenant());
            }
        }
    }

    /** Holds {@link #lock}. */
    private void publish() {
        if (draining.isEmpty()) {
            current = configured;
            return;
        }
        List<ParkGroup> disabled = new ArrayList<>();
        for (Draining d : draining.values()) {
            ParkGroup g = d.group.asDisabled();
            if (!g.number().isEmpty() && numberTaken(g)) {
                // the number now dials something else: the disabled group keeps its calls, not its number
                g = new ParkGroup(g.tenant(), g.name(), "", g.members(), g.recallTo(), g.ringGroup(), g.ringDuration(),
                        g.waitBeforeRingGroup(), g.retries(), true, g.recallLabels(), g.finalDestination());
            }
            disabled.add(g);
        }
        current = configured.withParkGroups(disabled);
    }

    private boolean numberTaken(ParkGroup g) {
        return configured.users(g.tenant()).stream().map(User::extension).anyMatch(g.number()::equals)
                || configured.parkGroups(g.tenant()).stream().anyMatch(o -> o.number().equals(g.number()));
    }
}
