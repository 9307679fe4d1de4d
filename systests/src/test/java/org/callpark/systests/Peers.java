package org.callpark.systests;

import java.io.File;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/** Real peers are required: missing binaries skip the test locally and fail it when {@code CI=true}. */
final class Peers {

    private Peers() {
    }

    static void require(String binary, String debianPackage) {
        boolean present = new File(binary).canExecute();
        if (!present && "true".equalsIgnoreCase(System.getenv("CI"))) {
            Assertions.fail(binary + " is missing (apt-get install " + debianPackage + "); CI=true, so this fails");
        }
        Assumptions.assumeTrue(present, binary + " is missing (apt-get install " + debianPackage + "): skipped");
    }
}
