package org.callpark.ui.internal;

import java.time.Duration;

import org.callpark.api.ParkException;
import org.callpark.api.ParkedCall;

/** Starts "send to extension" for a parked call; the outcome is reported later (events, {@code send-failed}). */
@FunctionalInterface
interface CallSender {

    /** @throws ParkException at once, if the send cannot even start */
    void send(ParkedCall call, String extension, Duration ringFor) throws ParkException;
}
