package org.callpark.internal.blf;

import java.io.IOException;
import java.io.StringReader;
import java.net.URL;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.Schema;
import javax.xml.validation.SchemaFactory;

import org.w3c.dom.Document;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;

/**
 * The RFC 4235 schema shipped in {@code src/test/resources/xsd/dialog-info.xsd}: validates a NOTIFY body and parses it
 * (namespace-aware DOM, no DTDs, no external entities) for assertions.
 */
public final class DialogInfoSchema {

    private static final Schema SCHEMA;

    static {
        try {
            URL xsd = DialogInfoSchema.class.getResource("/xsd/dialog-info.xsd");
            if (xsd == null) {
                throw new IllegalStateException("no /xsd/dialog-info.xsd on the test class path");
            }
            SchemaFactory f = SchemaFactory.newDefaultInstance();
            SCHEMA = f.newSchema(xsd);
        } catch (SAXException e) {
            throw new IllegalStateException("the RFC 4235 schema does not load: " + e.getMessage(), e);
        }
    }

    private DialogInfoSchema() {
    }

    /**
     * Validates one document.
     *
     * @throws AssertionError naming the problem and the document if it is not well-formed or not valid
     */
    public static void assertValid(String xml) {
        try {
            SCHEMA.newValidator().validate(new StreamSource(new StringReader(xml)));
        } catch (SAXException | IOException e) {
            throw new AssertionError("not a valid RFC 4235 dialog-info document: " + e.getMessage() + "\n" + xml, e);
        }
    }

    /** Validates, then parses. */
    public static Document parse(String xml) {
        assertValid(xml);
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newDefaultInstance();
            f.setNamespaceAware(true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            return f.newDocumentBuilder().parse(new InputSource(new StringReader(xml)));
        } catch (ParserConfigurationException | SAXException | IOException e) {
            throw new AssertionError("cannot parse " + xml, e);
        }
    }
}
