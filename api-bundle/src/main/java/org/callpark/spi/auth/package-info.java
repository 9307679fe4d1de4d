/**
 * Brute-force protection shared by every service that checks a password (SIP digest, the web/REST login, the metrics
 * endpoint): one set of rules and one log line for fail2ban.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.callpark.spi.auth;
