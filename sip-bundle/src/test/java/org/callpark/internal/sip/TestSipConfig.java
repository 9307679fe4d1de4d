package org.callpark.internal.sip;

import java.lang.annotation.Annotation;

/** A {@link SipConfig} with the OCD defaults, changeable per test. */
final class TestSipConfig implements SipConfig {

    String bindAddress = "127.0.0.1";
    String advertisedAddress = "";
    int port = 5060;
    String transports = "udp,tcp";
    String trustedProxies = "";
    String outboundProxy = "";
    String realm = "";
    String userAgent = "CallPark";
    String recallAlertInfo = "<urn:alert:service:recall:transfer>";
    int subscribeMinExpires = 60;
    int subscribeMaxExpires = 3600;
    int subscribeDefaultExpires = 600;
    int authSourceMaxFailures = 10;
    int authSourceWindowSeconds = 60;
    int authUserMaxFailures = 5;
    int authUserWindowSeconds = 300;

    @Override
    public int authSourceMaxFailures() {
        return authSourceMaxFailures;
    }

    @Override
    public int authSourceWindowSeconds() {
        return authSourceWindowSeconds;
    }

    @Override
    public int authUserMaxFailures() {
        return authUserMaxFailures;
    }

    @Override
    public int authUserWindowSeconds() {
        return authUserWindowSeconds;
    }

    int parksInProgressPerSource = 20;
    String transferNumbers = "";

    @Override
    public String transferNumbers() {
        return transferNumbers;
    }
    boolean announceParkedSlot;
    int announceWaitSeconds = 30;

    @Override
    public int announceWaitSeconds() {
        return announceWaitSeconds;
    }

    @Override
    public boolean announceParkedSlot() {
        return announceParkedSlot;
    }

    int sessionExpires = 1800;
    int minSessionExpires = 90;

    @Override
    public int sessionExpires() {
        return sessionExpires;
    }

    @Override
    public int minSessionExpires() {
        return minSessionExpires;
    }

    @Override
    public int parksInProgressPerSource() {
        return parksInProgressPerSource;
    }

    int tcpIdleTimeout = 30;
    int tcpMaxConnections = 1000;

    @Override
    public int tcpIdleTimeout() {
        return tcpIdleTimeout;
    }

    @Override
    public int tcpMaxConnections() {
        return tcpMaxConnections;
    }

    @Override
    public int subscribeMinExpires() {
        return subscribeMinExpires;
    }

    @Override
    public int subscribeMaxExpires() {
        return subscribeMaxExpires;
    }

    @Override
    public int subscribeDefaultExpires() {
        return subscribeDefaultExpires;
    }

    @Override
    public Class<? extends Annotation> annotationType() {
        return SipConfig.class;
    }

    @Override
    public String bindAddress() {
        return bindAddress;
    }

    @Override
    public String advertisedAddress() {
        return advertisedAddress;
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public String transports() {
        return transports;
    }

    @Override
    public String trustedProxies() {
        return trustedProxies;
    }

    @Override
    public String outboundProxy() {
        return outboundProxy;
    }

    @Override
    public String realm() {
        return realm;
    }

    @Override
    public String userAgent() {
        return userAgent;
    }

    @Override
    public String recallAlertInfo() {
        return recallAlertInfo;
    }
}
