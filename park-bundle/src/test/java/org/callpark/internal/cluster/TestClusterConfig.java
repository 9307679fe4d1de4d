package org.callpark.internal.cluster;

import java.lang.annotation.Annotation;

/** A {@link ClusterConfig} with the OCD defaults, changeable per test. */
final class TestClusterConfig implements ClusterConfig {

    String clusterName = "callpark";
    String members = "";
    int port = 5701;
    boolean portAutoIncrement = true;
    String bindAddress = "127.0.0.1";
    int backupCount = 1;

    TestClusterConfig copy() {
        TestClusterConfig c = new TestClusterConfig();
        c.clusterName = clusterName;
        c.members = members;
        c.port = port;
        c.portAutoIncrement = portAutoIncrement;
        c.bindAddress = bindAddress;
        c.backupCount = backupCount;
        return c;
    }

    @Override
    public Class<? extends Annotation> annotationType() {
        return ClusterConfig.class;
    }

    @Override
    public String clusterName() {
        return clusterName;
    }

    @Override
    public String members() {
        return members;
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public boolean portAutoIncrement() {
        return portAutoIncrement;
    }

    @Override
    public String bindAddress() {
        return bindAddress;
    }

    @Override
    public int backupCount() {
        return backupCount;
    }
}
