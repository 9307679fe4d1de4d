package org.callpark.internal.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.callpark.api.DialPlan;
import org.callpark.api.ParkTarget;
import org.callpark.api.RetrieveTarget;
import org.junit.jupiter.api.Test;

/** {@link FeatureCode#parse(String, DialPlan)}: a tenant's own codes, and the seed's when it sets none. */
class DialPlanCodeTest {

    private static final DialPlan FREEPBX = new DialPlan("70", "71", "72");

    @Test
    void freePbxStyleCodes() {
        assertEquals(ParkTarget.ownExtension(), FeatureCode.parse("70", FREEPBX).orElseThrow().park());
        assertEquals(ParkTarget.extension("201"), FeatureCode.parse("70201", FREEPBX).orElseThrow().park());
        assertEquals(ParkTarget.ownGroup(), FeatureCode.parse("72", FREEPBX).orElseThrow().park());
        assertEquals(RetrieveTarget.own(), FeatureCode.parse("71", FREEPBX).orElseThrow().retrieve());
        assertEquals(RetrieveTarget.extension("201"), FeatureCode.parse("71201", FREEPBX).orElseThrow().retrieve());
    }

    @Test
    void theSeedCodesAreNoCodesInAPlanThatReplacesThem() {
        assertTrue(FeatureCode.parse("*68", FREEPBX).isEmpty());
        assertTrue(FeatureCode.parse("*88101", FREEPBX).isEmpty());
        assertTrue(FeatureCode.parse("*58", FREEPBX).isEmpty());
    }

    @Test
    void theBlfUriRetrievesWhateverTheCodes() {
        assertEquals(RetrieveTarget.extension("201"), FeatureCode.parse("park+201", FREEPBX).orElseThrow().retrieve());
        assertEquals(RetrieveTarget.group("Support"),
                FeatureCode.parse("park+Support", FREEPBX).orElseThrow().retrieve());
    }

    @Test
    void aCodeFollowedByAnythingButANumberIsNoCode() {
        assertTrue(FeatureCode.parse("70abc", FREEPBX).isEmpty());
        assertTrue(FeatureCode.parse("71*", FREEPBX).isEmpty());
        assertTrue(FeatureCode.parse("7", FREEPBX).isEmpty());
    }

    @Test
    void codesWithHashAndPercentEncoding() {
        DialPlan hash = new DialPlan("#1", "#2", "#3");
        assertEquals(ParkTarget.extension("102"), FeatureCode.parse("%231102", hash).orElseThrow().park());
        assertEquals(RetrieveTarget.own(), FeatureCode.parse("#2", hash).orElseThrow().retrieve());
    }

    @Test
    void withoutAPlanTheSeedCodes() {
        assertEquals(DialPlan.DEFAULT, new DialPlan(null, "", " "));
        assertEquals(FeatureCode.parse("*68102"), FeatureCode.parse("*68102", DialPlan.DEFAULT));
        assertEquals(RetrieveTarget.extension("700"), FeatureCode.parse("*88700").orElseThrow().retrieve());
    }
}
