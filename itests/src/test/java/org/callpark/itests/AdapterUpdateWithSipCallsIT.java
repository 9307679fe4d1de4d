package org.callpark.itests;

import static org.ops4j.pax.exam.CoreOptions.mavenBundle;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import org.callpark.api.CallParkService;
import org.callpark.api.ParkedCall;
import org.callpark.internal.sip.SippRun;
import org.jivesoftware.smack.packet.Presence;
import org.junit.Assert;
import org.junit.FixMethodOrder;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.MethodSorters;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.ServiceReference;

/**
 * Issue 13: each bundle of ours updated, then stopped and started, while the others keep running — with callers
 * parked over real SIP, in one Pax Exam container of the real assembly. The test methods run inside that container
 * (Pax Exam's probe), and start from there what a phone would be: three sipp callers ({@code park_hold.xml}: park on
 * {@code *68101}..{@code *68103} with Referred-By 101, answer re-INVITEs, wait for the BYE) against the SIP listener
 * on a free loopback port (set in {@code etc/org.callpark.sip.cfg}), each with an {@link RtpListener} for its hold
 * music. After every step, what a caller would notice: still parked ({@link CallParkService} and {@code park:list}),
 * no BYE, music again ({@literal >=} 40 packets/s within 5 s), the longest silence over the step, the re-INVITEs it
 * got. The figures go to stdout and {@code target/adapter-updates.txt}.
 * <ul>
 * <li>{@code org.callpark.park}, {@code org.callpark.sip}, {@code org.callpark.xmpp}, {@code org.callpark.ui}:
 * updated, then stopped for 2 s and started — no re-INVITE, silence at most 500 ms
 * ({@code -Ditest.adapters.quietGapMillis}); while the SIP bundle is stopped OPTIONS get no answer, the music goes
 * on;</li>
 * <li>{@code org.callpark.media} (as {@code HotUpdateST} asserts): the legs die with the bundle, the SIP server
 * re-INVITEs every caller to a new leg — exactly one re-INVITE per caller, silence at most 3 s
 * ({@code -Ditest.adapters.mediaGapMillis}); stopped for 2 s and started: one more re-INVITE each, silence at most
 * the 2 s plus 3 s;</li>
 * <li>{@code org.callpark.xmpp}, in addition: a real prosody runs (started by the test, the component switched on by
 * {@code config:property-set} once it does) and Bob, subscribed to {@code 102@park.example.com} before the caller on
 * 102 parked, is told again that the slot is busy ({@code dnd}, "Parked: Customer 102 (+4930123) by Bob") within 2 s
 * of {@code bundle:update} returning, and of {@code bundle:start} ({@link SlotWatcher});</li>
 * <li>at the end each caller is retrieved by 102 with {@code *88<ext>} and digest (sip-bundle's {@code retrieve.xml},
 * which checks the caller's P-Asserted-Identity) and gets the server's BYE when 102 hangs up.</li>
 * </ul>
 * Nothing is asserted about the XMPP component on a core update (it is about to stop restarting with the core).
 * sipp, prosody and Smack come from sip-bundle's and xmpp-bundle's test-jars ({@link SippRun}, {@link SlotWatcher}),
 * unpacked into the probe by the build; without {@code /usr/bin/sipp} or {@code /usr/bin/prosody} the test fails
 * (JUnit 5's assumption inside JUnit 4 is an error, not a skip). 56–105 s with the container boot.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class AdapterUpdateWithSipCallsIT extends CallparkTestSupport {

    private static final String NAME = "adapters";
    private static final String NUMBER = "+4930123";
    private static final List<String> SLOTS = List.of("101", "102", "103");
    private static final long QUIET_GAP_MS = Long.getLong("itest.adapters.quietGapMillis", 500);
    private static final long MEDIA_GAP_MS = Long.getLong("itest.adapters.mediaGapMillis", 3000);
    private static final long STOPPED_MS = 2000;

    private static final String SLOT_JID = "102@park.example.com";
    private static final long PRESENCE_MS = 2000;

    /** The parked callers, kept across the test methods (all run in the one container, in name order). */
    private static final List<Caller> CALLERS = new ArrayList<>();
    /** Prosody and Bob, subscribed to 102's slot, from step 0 to the end. */
    private static SlotWatcher watcher;

    /** A parked caller: its slot (extension), its sipp and what it hears. */
    record Caller(String slot, SippRun sipp, RtpListener rtp) {
    }

    @Configuration
    public Option[] config() throws IOException {
        String sipPort = String.valueOf(PeerChecks.freeLoopbackPort());
        String c2sPort = String.valueOf(PeerChecks.freeLoopbackPort());
        String componentPort = String.valueOf(PeerChecks.freeLoopbackPort());
        List<Option> options = new ArrayList<>(List.of(
                editConfigurationFilePut("etc/org.callpark.sip.cfg", "bindAddress", "127.0.0.1"),
                editConfigurationFilePut("etc/org.callpark.sip.cfg", "port", sipPort),
                // what the test code inside the container needs to know
                editConfigurationFilePut("etc/system.properties", "itest.adapters.sipPort", sipPort),
                editConfigurationFilePut("etc/system.properties", "itest.adapters.c2sPort", c2sPort),
                editConfigurationFilePut("etc/system.properties", "itest.adapters.componentPort", componentPort),
                // the XMPP component: to the test's prosody, switched on once that runs (else it backs off up to 60 s)
                editConfigurationFilePut("etc/org.callpark.xmpp.cfg", "enabled", "false"),
                editConfigurationFilePut("etc/org.callpark.xmpp.cfg", "host", "127.0.0.1"),
                editConfigurationFilePut("etc/org.callpark.xmpp.cfg", "port", componentPort),
                editConfigurationFilePut("etc/org.callpark.xmpp.cfg", "domain", "example.com"),
                editConfigurationFilePut("etc/org.callpark.xmpp.cfg", "subdomain", "park"),
                editConfigurationFilePut("etc/org.callpark.xmpp.cfg", "secret", SlotWatcher.SECRET),
                editConfigurationFilePut("etc/system.properties", "itest.adapters.httpPort",
                        port("itest.http.port", NAME)),
                editConfigurationFilePut("etc/system.properties", "itest.adapters.report",
                        new File("target/adapter-updates.txt").getAbsolutePath()),
                // Sipp (sip-bundle's test-jar) asserts with JUnit 5; its API bundle requires an engine, which
                // requires a launcher (Require-Capability, enforced by Karaf's resolver): the closed set
                mavenBundle("org.apiguardian", "apiguardian-api", "1.1.2"),
                mavenBundle("org.opentest4j", "opentest4j", "1.3.0"),
                mavenBundle("org.junit.platform", "junit-platform-commons", "1.10.2"),
                mavenBundle("org.junit.platform", "junit-platform-engine", "1.10.2"),
                mavenBundle("org.junit.platform", "junit-platform-launcher", "1.10.2"),
                mavenBundle("org.junit.jupiter", "junit-jupiter-api", "5.10.2"),
                mavenBundle("org.junit.jupiter", "junit-jupiter-engine", "5.10.2")));
        // the bounds, when given to the test JVM (mvn -D...), into the container where the steps read them
        for (String key : List.of("itest.adapters.quietGapMillis", "itest.adapters.mediaGapMillis")) {
            if (System.getProperty(key) != null) {
                options.add(editConfigurationFilePut("etc/system.properties", key, System.getProperty(key)));
            }
        }
        // no recall while the test runs (the parker 101 is not registered: a recall would end in a BYE)
        for (String key : List.of("tenant.default.recall", "parkgroup.default.Sales")) {
            options.add(editConfigurationFilePut("etc/org.callpark.directory.cfg", key + ".ringDuration", "3600"));
            options.add(editConfigurationFilePut("etc/org.callpark.directory.cfg", key + ".waitBeforeRingGroup",
                    "3600"));
        }
        return concat(concat(commonOptions(NAME), distribution(prop("callpark.assembly"), NAME)),
                options.toArray(new Option[0]));
    }

    private static int sipPort() {
        return Integer.getInteger("itest.adapters.sipPort");
    }

    // ------------------------------------------------------------------------------------------------- the steps

    @Test
    public void step0ThreeCallersParkOverSipAndHearMusic() throws Exception {
        Files.deleteIfExists(Path.of(System.getProperty("itest.adapters.report")));
        assertBundlesActive(OUR_BUNDLES, 30_000);
        PeerChecks.awaitSipAnswers(sipPort(), NAME, 30_000);
        watcher = SlotWatcher.start(NAME, Integer.getInteger("itest.adapters.c2sPort"),
                Integer.getInteger("itest.adapters.componentPort"), SLOT_JID);
        executeCommand("config:property-set -p org.callpark.xmpp enabled true");
        Presence free = watcher.subscribe(30_000);
        Assert.assertNotNull("the component answered Bob's subscription to " + SLOT_JID, free);
        Assert.assertEquals("free", free.getStatus());
        for (String slot : SLOTS) {
            RtpListener rtp = new RtpListener();
            SippRun sipp = SippRun.scenario("park_hold", sipPort()).service("*68" + slot).name(NAME + "-park-" + slot)
                    .key("domain", "127.0.0.1").key("from_user", NUMBER).key("from_name", "Customer " + slot)
                    .key("referrer", "101").key("rtp_port", String.valueOf(rtp.port())).timeout(240);
            CALLERS.add(new Caller(slot, sipp, rtp));
            sipp.start();
        }
        for (Caller c : CALLERS) {
            Assert.assertTrue("no hold music for the caller on " + c.slot() + "\n" + c.sipp().diagnostics(),
                    c.rtp().awaitPackets(5, 15_000));
        }
        assertAllParked("after parking");
        Presence busy = watcher.await(Presence.Mode.dnd, Duration.ofSeconds(10));
        Assert.assertNotNull("Bob sees " + SLOT_JID + " busy", busy);
        Assert.assertEquals("Parked: Customer 102 (" + NUMBER + ") by Bob", busy.getStatus());
    }

    @Test
    public void step1ParkCore() throws Exception {
        updateThenStopAndStart("org.callpark.park", QUIET_GAP_MS, 0);
    }

    @Test
    public void step2SipBundle() throws Exception {
        updateThenStopAndStart("org.callpark.sip", QUIET_GAP_MS, 0);
    }

    @Test
    public void step3XmppBundle() throws Exception {
        updateThenStopAndStart("org.callpark.xmpp", QUIET_GAP_MS, 0);
    }

    @Test
    public void step4UiBundle() throws Exception {
        updateThenStopAndStart("org.callpark.ui", QUIET_GAP_MS, 0);
    }

    @Test
    public void step5MediaBundle() throws Exception {
        updateThenStopAndStart("org.callpark.media", MEDIA_GAP_MS, 1);
    }

    /** Each caller retrieved by 102 ({@code *88<ext>}, digest): connected, and hung up when 102 hangs up. */
    @Test
    public void step9EachCallerRetrievedOverSip() throws Exception {
        try {
            for (Caller c : CALLERS) {
                SippRun.scenario("retrieve", sipPort()).service("*88" + c.slot()).name(NAME + "-retrieve-" + c.slot())
                        .key("domain", "127.0.0.1").key("from_user", "102").key("from_name", "Alice")
                        .auth("102", "pass102").pause(1000).timeout(30).run();
                int code = c.sipp().await();
                Assert.assertEquals("the caller on " + c.slot() + " got the BYE after the retrieve and answered it\n"
                        + c.sipp().diagnostics(), 0, code);
                Assert.assertEquals("one BYE for the caller on " + c.slot(), 1, c.sipp().requestsReceived("BYE"));
            }
            CallParkService park = service();
            Assert.assertTrue("nothing parked any more: " + park.list(),
                    park.list().stream().noneMatch(ParkedCall::isLive));
        } finally {
            CALLERS.forEach(c -> c.rtp().close());
            PeerChecks.killSipps(NAME);
            if (watcher != null) {
                watcher.close();
            }
        }
    }

    // ------------------------------------------------------------------------------------------------- helpers

    /**
     * {@code bundle:update <bsn>}, then {@code bundle:stop <bsn>}, 2 s, {@code bundle:start <bsn>}: two steps, each
     * checked as in the class comment. Media: while stopped the callers hear nothing, so the stop time counts into
     * the allowed silence.
     */
    private void updateThenStopAndStart(String bsn, long maxSilenceMs, int reInvites) throws Exception {
        step(bsn + " update", maxSilenceMs, reInvites, () -> {
            watcher.clear();
            executeCommand("bundle:update " + bsn);
            presenceResent(bsn, "bundle:update");
            awaitBack(bsn);
        });
        boolean media = bsn.equals("org.callpark.media");
        step(bsn + " stop+start", media ? STOPPED_MS + maxSilenceMs : maxSilenceMs, reInvites, () -> {
            executeCommand("bundle:stop " + bsn);
            long off = System.nanoTime();
            if (bsn.equals("org.callpark.sip")) {
                Assert.assertNotEquals("no SIP answer while the SIP bundle is stopped", 0, PeerChecks.options(sipPort(), NAME, 3));
            }
            PeerChecks.sleepUntil(off + STOPPED_MS * 1_000_000L);
            if (!media) {
                long now = System.nanoTime();
                for (Caller c : CALLERS) {
                    int n = c.rtp().packetsSince(now - 1_000_000_000L);
                    Assert.assertTrue("the caller on " + c.slot() + " hears " + n + " packets/s while " + bsn
                            + " is stopped", n >= 40);
                }
            }
            watcher.clear();
            executeCommand("bundle:start " + bsn);
            presenceResent(bsn, "bundle:start");
            awaitBack(bsn);
        });
    }

    /**
     * After {@code org.callpark.xmpp} came back ({@code command} has returned): the new component tells Bob, who
     * subscribed before, that 102's slot is still busy, within 2 s.
     */
    private static void presenceResent(String bsn, String command) throws Exception {
        if (!bsn.equals("org.callpark.xmpp")) {
            return;
        }
        long t0 = System.nanoTime();
        Presence again = watcher.await(Presence.Mode.dnd, Duration.ofSeconds(10));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        Assert.assertNotNull(command + " " + bsn + ": Bob is told again that " + SLOT_JID + " is busy", again);
        report(String.format("%s %s returned -> %s busy again at Bob: %d ms (allowed %d)", command, bsn, SLOT_JID, ms,
                PRESENCE_MS));
        Assert.assertEquals("Parked: Customer 102 (" + NUMBER + ") by Bob", again.getStatus());
        Assert.assertTrue(command + " " + bsn + ": presence re-sent after " + ms + " ms", ms <= PRESENCE_MS);
    }

    private interface Action {
        void run() throws Exception;
    }

    /** Runs {@code action}, then checks every caller: parked, no BYE, music again, silence, re-INVITEs. */
    private void step(String what, long maxSilenceMs, int reInvites, Action action) throws Exception {
        Assert.assertFalse("callers parked", CALLERS.isEmpty());
        List<Integer> invitesBefore = new ArrayList<>();
        for (Caller c : CALLERS) {
            invitesBefore.add(c.sipp().requestsReceived("INVITE"));
        }
        long t0 = System.nanoTime();
        action.run();
        if (reInvites > 0) {
            awaitReInvites(invitesBefore, reInvites, 30_000, what);
        }
        Thread.sleep(1000);
        awaitMusic(5_000, what);
        long t1 = System.nanoTime();
        long worst = 0;
        List<String> perCaller = new ArrayList<>();
        for (int i = 0; i < CALLERS.size(); i++) {
            Caller c = CALLERS.get(i);
            Assert.assertEquals("no BYE for the caller on " + c.slot() + " after " + what + "\n"
                    + c.sipp().diagnostics(), 0, c.sipp().requestsReceived("BYE"));
            int got = c.sipp().requestsReceived("INVITE") - invitesBefore.get(i);
            Assert.assertEquals("re-INVITEs of the caller on " + c.slot() + " by " + what, reInvites, got);
            long silence = c.rtp().longestSilenceMillis(t0, t1);
            worst = Math.max(worst, silence);
            perCaller.add(c.slot() + "=" + silence);
        }
        assertAllParked("after " + what);
        report(String.format("%s: %d s, longest silence per caller %s ms (max %d ms, allowed %d), re-INVITEs %d each,"
                + " no BYE, %d parked", what, (t1 - t0) / 1_000_000_000L, perCaller, worst, maxSilenceMs, reInvites,
                CALLERS.size()));
        Assert.assertTrue(what + ": longest silence " + worst + " ms > " + maxSilenceMs + " ms " + perCaller,
                worst <= maxSilenceMs);
    }

    /** The bundles are all active again and {@code bsn}'s job is done again (what a user would use). */
    private void awaitBack(String bsn) throws Exception {
        assertBundlesActive(OUR_BUNDLES, 30_000);
        switch (bsn) {
            case "org.callpark.park":
                awaitService(CallParkService.class.getName(), SERVICE_TIMEOUT_MS);
                break;
            case "org.callpark.sip":
                PeerChecks.awaitSipAnswers(sipPort(), NAME, 30_000);
                awaitService("org.callpark.spi.CallCarrier", SERVICE_TIMEOUT_MS);
                break;
            case "org.callpark.ui":
                PeerChecks.awaitHttp(Integer.getInteger("itest.adapters.httpPort"), 30_000);
                break;
            default:
                break;
        }
    }

    private void awaitReInvites(List<Integer> before, int expected, long timeoutMs, String what) throws Exception {
        long deadline = System.currentTimeMillis() + timeoutMs;
        for (int i = 0; i < CALLERS.size(); i++) {
            Caller c = CALLERS.get(i);
            while (c.sipp().requestsReceived("INVITE") - before.get(i) < expected
                    && System.currentTimeMillis() < deadline) {
                Thread.sleep(100);
            }
        }
    }

    /** Every caller receives at least 40 packets within a second, within {@code timeoutMs}. */
    private void awaitMusic(long timeoutMs, String what) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (true) {
            long now = System.nanoTime();
            List<Caller> silent = CALLERS.stream()
                    .filter(c -> c.rtp().packetsSince(now - 1_000_000_000L) < 40).collect(Collectors.toList());
            if (silent.isEmpty()) {
                return;
            }
            if (System.currentTimeMillis() > deadline) {
                Assert.fail(what + ": no music (>= 40 packets/s) within " + timeoutMs + " ms for the callers on "
                        + silent.stream().map(Caller::slot).collect(Collectors.toList()) + "\n"
                        + silent.get(0).sipp().diagnostics());
            }
            Thread.sleep(100);
        }
    }

    /** Each caller is listed by the core's service (live, on its slot, its number) and in {@code park:list}. */
    private void assertAllParked(String when) throws Exception {
        CallParkService park = service();
        List<ParkedCall> live = park.list().stream().filter(ParkedCall::isLive).collect(Collectors.toList());
        String listed = executeCommand("park:list");
        for (Caller c : CALLERS) {
            Assert.assertEquals("the caller on " + c.slot() + " parked " + when + ": " + live, 1, live.stream()
                    .filter(p -> p.slot().name().equals(c.slot()) && p.caller().number().equals(NUMBER)).count());
            Assert.assertTrue("park:list shows the caller on " + c.slot() + " " + when + ":\n" + listed,
                    listed.contains("Customer " + c.slot()));
        }
        Assert.assertEquals("only our callers parked " + when + ": " + live, CALLERS.size(), live.size());
    }

    private CallParkService service() throws Exception {
        ServiceReference<?> ref = awaitService(CallParkService.class.getName(), SERVICE_TIMEOUT_MS);
        // the core's service object lives as long as its bundle: no unget needed within a check
        return (CallParkService) bundleContext.getService(ref);
    }

    private static void report(String line) throws IOException {
        System.out.println("[itests] " + line);
        Files.writeString(Path.of(System.getProperty("itest.adapters.report")), line + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
}
