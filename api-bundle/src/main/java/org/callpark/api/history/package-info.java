/**
 * Park history: every parked call's life after it ended, read back by the shell, REST and the web page. A service
 * implementing {@link org.callpark.api.history.ParkHistory} is present only where the history feature is installed.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.callpark.api.history;
