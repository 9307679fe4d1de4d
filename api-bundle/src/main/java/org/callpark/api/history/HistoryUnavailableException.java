package org.callpark.api.history;

/** The history's database cannot be reached (or answered with an error); the message says why, for people. */
public class HistoryUnavailableException extends Exception {

    private static final long serialVersionUID = 1L;

    public HistoryUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
