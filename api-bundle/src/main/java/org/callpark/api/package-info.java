/**
 * The call park service: parking and retrieving calls, the tenant directory, the events a parked call goes through.
 * <p>
 * Transports (SIP feature codes, REST, the Karaf shell, XMPP) are thin clients of {@link org.callpark.api.CallParkService};
 * they build a {@link org.callpark.api.ParkRequest} or {@link org.callpark.api.RetrieveRequest} and translate
 * {@link org.callpark.api.ParkException} once, at their edge.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.7.0")
package org.callpark.api;
