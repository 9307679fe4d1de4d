package org.callpark.internal.shell.completers;

import java.util.List;

import org.callpark.api.CallParkService;
import org.callpark.api.ParkException;
import org.callpark.api.ParkedCall;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The live calls for completion: a completer offers nothing rather than failing the operator's tab key. */
final class LiveCalls {

    private static final Logger LOG = LoggerFactory.getLogger(LiveCalls.class);

    private LiveCalls() {
    }

    static List<ParkedCall> list(CallParkService park) {
        try {
            return park.list();
        } catch (ParkException e) {
            LOG.debug("No live calls to complete: {}", e.getMessage());
            return List.of();
        }
    }
}
