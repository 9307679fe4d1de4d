package org.callpark.ui.internal;

import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.callpark.api.Directory;
import org.callpark.api.DirectoryService;
import org.callpark.api.ParkEvent;
import org.callpark.api.ParkException;
import org.callpark.api.ParkedCall;
import org.callpark.api.TenantId;
import org.callpark.spi.ParkEventListener;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server-sent event streams of {@code GET /events}. Park events arrive on the park service's dispatcher thread and
 * are only offered to each stream's bounded queue there (never blocking); each stream has its own writer thread that
 * sends a snapshot first, then the queued events with strictly increasing ids, and a heartbeat comment when idle. A
 * client that falls {@value #QUEUE} events behind is dropped (its stream closed; {@code EventSource} reconnects and
 * gets a fresh snapshot).
 * <p>
 * At most {@value #MAX_STREAMS} streams are open. A stream frees its slot as soon as the server learns that its
 * client is gone: the servlet container ends the async response ({@link Handle#close()} from its
 * {@code AsyncListener}), or a write fails. A container only learns of a closed TCP connection when it writes to it,
 * and the first write after the client's FIN still succeeds (the peer answers it with a reset), so when every slot
 * is taken {@link #open} first pings each stream twice and waits up to {@link #PROBE} for dead ones to fail before
 * answering 503: a client that closed its stream a moment ago does not hold its slot until the next heartbeat.
 */
@Component(service = { ParkEventListener.class, EventStreams.class }, immediate = true)
public final class EventStreams implements ParkEventListener {

    static final int QUEUE = 256;
    static final int MAX_STREAMS = 64;
    static final Duration HEARTBEAT = Duration.ofSeconds(15);
    /** How long a full {@link #open} waits, per ping round, for the writes to gone clients to fail. */
    static final Duration PROBE = Duration.ofMillis(150);
    private static final Logger LOG = LoggerFactory.getLogger(EventStreams.class);

    /** Where a stream's text goes (the async servlet response). */
    public interface Sink {
        /** Writes and flushes. */
        void write(String text) throws IOException;

        /** Ends the response; may be called more than once. */
        void close();
    }

    /** An open stream, for the servlet to end it when the container sees the client go. */
    @FunctionalInterface
    public interface Handle {
        /** Ends the stream and frees its slot at once; may be called more than once. */
        void close();
    }

    /** Lists the calls for the snapshot. */
    @FunctionalInterface
    public interface Snapshot {
        List<ParkedCall> calls() throws ParkException;
    }

    private final DirectoryService directories;
    private final Duration heartbeat;
    private final Set<Stream> streams = ConcurrentHashMap.newKeySet();
    private final AtomicInteger threads = new AtomicInteger();
    private final ExecutorService writers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "callpark-sse-" + threads.incrementAndGet());
        t.setDaemon(true);
        return t;
    });

    @Activate
    public EventStreams(@Reference DirectoryService directories) {
        this(directories, HEARTBEAT);
    }

    EventStreams(DirectoryService directories, Duration heartbeat) {
        this.directories = directories;
        this.heartbeat = heartbeat;
    }

    @Deactivate
    void deactivate() {
        for (Stream s : streams) {
            s.close("the server is stopping");
        }
        writers.shutdownNow();
    }

    @Override
    public void onParkEvent(ParkEvent event) {
        if (event.type() == ParkEvent.Type.MOVED) {
            return; // carried by another node now: the board shows nothing of that
        }
        for (Stream s : streams) {
            if (s.wants(event.call().tenant())) {
                s.offer(event);
            }
        }
    }

    /** Reports a failed "send to extension" to the streams that see the tenant. */
    public void sendFailed(Dtos.SendFailedDto failure) {
        TenantId tenant = TenantId.of(failure.tenant());
        for (Stream s : streams) {
            if (s.wants(tenant)) {
                s.offer(failure);
            }
        }
    }

    int size() {
        return streams.size();
    }

    /**
     * Opens a stream: from now on it queues events; its writer thread sends the snapshot and then the events.
     *
     * @param tenant only this tenant's calls, or {@code null} for every tenant the caller sees
     * @return the stream, to {@link Handle#close()} when the client is known to be gone
     * @throws ApiException 503 if too many streams are open (after the streams of gone clients were let go)
     */
    public Handle open(Caller caller, TenantId tenant, Snapshot snapshot, Sink sink) throws ApiException {
        if (streams.size() >= MAX_STREAMS && !freeGoneClients()) {
            throw new ApiException(503, "UNAVAILABLE", "too many event streams are open (" + MAX_STREAMS + ")");
        }
        Stream s = new Stream(caller, tenant, snapshot, sink);
        streams.add(s);
        try {
            writers.execute(s);
        } catch (RuntimeException e) {
            streams.remove(s);
            throw new ApiException(503, "UNAVAILABLE", "the event stream could not be started", List.of(), e);
        }
        return () -> s.close("the client is gone");
    }

    /**
     * Pings every stream (twice: the write after a peer's FIN succeeds, the next one fails) and waits for the writers
     * of gone clients to fail and free their slots.
     *
     * @return whether a slot is free now
     */
    private boolean freeGoneClients() {
        for (int round = 0; round < 2; round++) {
            streams.forEach(Stream::ping);
            long deadline = System.nanoTime() + PROBE.toNanos();
            while (streams.size() >= MAX_STREAMS && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            if (streams.size() < MAX_STREAMS) {
                return true;
            }
        }
        return false;
    }

    /** Closes every stream of this node (e.g. for a test). */
    void closeAll() {
        streams.forEach(s -> s.close("closed"));
    }

    private static final Object CLOSE = new Object();
    private static final Object PING = new Object();

    private final class Stream implements Runnable {
        private final Caller caller;
        private final TenantId tenant;
        private final Snapshot snapshot;
        private final Sink sink;
        private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(QUEUE + 1);
        private volatile boolean closed;
        private long sequence;

        Stream(Caller caller, TenantId tenant, Snapshot snapshot, Sink sink) {
            this.caller = caller;
            this.tenant = tenant;
            this.snapshot = snapshot;
            this.sink = sink;
        }

        boolean wants(TenantId t) {
            return caller.sees(t) && (tenant == null || tenant.equals(t));
        }

        /** Called on the dispatcher thread: never blocks. */
        void offer(Object item) {
            if (closed) {
                return;
            }
            if (queue.size() >= QUEUE || !queue.offer(item)) {
                close("the client fell " + QUEUE + " events behind");
            }
        }

        /** Asks the writer for a comment line now (to learn whether the client is still there). */
        void ping() {
            offer(PING);
        }

        void close(String why) {
            streams.remove(this); // the slot is free at once, not when the writer notices
            if (!closed) {
                closed = true;
                LOG.debug("Event stream of '{}' closed: {}", caller.user(), why);
                queue.clear();
                queue.offer(CLOSE);
            }
        }

        @Override
        public void run() {
            try {
                Map<String, Long> versions = new HashMap<>();
                List<ParkedCall> calls;
                try {
                    calls = snapshot.calls().stream().filter(c -> wants(c.tenant())).toList();
                } catch (ParkException e) {
                    ApiException error = ApiErrors.translate(e);
                    send("error", Json.writeString(error.body()));
                    return;
                }
                calls.forEach(c -> versions.put(c.id(), c.version()));
                sink.write("retry: 3000\n\n");
                send("snapshot", Json.writeString(new Dtos.SnapshotDto(Views.calls(directories.current(), calls))));
                while (!closed) {
                    Object item = queue.poll(heartbeat.toMillis(), TimeUnit.MILLISECONDS);
                    if (item == null) {
                        sink.write(": heartbeat\n\n");
                    } else if (item instanceof ParkEvent e) {
                        Long known = versions.remove(e.call().id());
                        if (known != null && known >= e.call().version()) {
                            continue; // already in the snapshot
                        }
                        Directory d = directories.current();
                        send("park", Json.writeString(Views.event(d, e)));
                    } else if (item instanceof Dtos.SendFailedDto f) {
                        send("send-failed", Json.writeString(f));
                    } else if (item == PING) {
                        sink.write(": ping\n\n");
                    }
                }
            } catch (IOException e) {
                LOG.debug("Event stream of '{}' ended: {}", caller.user(), e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                LOG.warn("Event stream of '{}' failed", caller.user(), e);
            } finally {
                closed = true;
                streams.remove(this);
                sink.close();
            }
        }

        private void send(String event, String json) throws IOException {
            sink.write("id: " + (++sequence) + "\nevent: " + event + "\ndata: " + json + "\n\n");
        }
    }
}
