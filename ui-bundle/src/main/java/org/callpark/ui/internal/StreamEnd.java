package org.callpark.ui.internal;

import java.util.concurrent.atomic.AtomicReference;

import javax.servlet.AsyncEvent;
import javax.servlet.AsyncListener;

/**
 * Ends an event stream when the container ends its async response — completed, timed out, or failed because the
 * client went away — so the stream's slot is free at once instead of at the next failed heartbeat.
 */
final class StreamEnd implements AsyncListener {

    private final AtomicReference<EventStreams.Handle> stream = new AtomicReference<>();
    private volatile boolean ended;

    /** The stream to end; ended at once if the response already ended. */
    void stream(EventStreams.Handle handle) {
        stream.set(handle);
        if (ended) {
            handle.close();
        }
    }

    @Override
    public void onComplete(AsyncEvent event) {
        end();
    }

    @Override
    public void onTimeout(AsyncEvent event) {
        end();
    }

    @Override
    public void onError(AsyncEvent event) {
        end();
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
        // never restarted
    }

    private void end() {
        ended = true;
        EventStreams.Handle h = stream.get();
        if (h != null) {
            h.close();
        }
    }
}
