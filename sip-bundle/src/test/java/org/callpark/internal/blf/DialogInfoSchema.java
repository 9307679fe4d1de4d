package org.callpark.internal.blf;

import java.io.IOException;
import java.io.StringReader;
import java.net.URL;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.Schema;
import javax.xml.validation.SchemaFactory;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;

/**
 * The RFC 4235 schema shipped in {@code src/test/resources/xsd/dialog-info.xsd}: validates a NOTIFY body and parses it
 * (namespace-aware DOM, no DTDs, no external entities) for assertions.
 */
public final class DialogInfoSchema {

    private static final Schema SCHEMA;
    /** A dialog-info body as sipp writes it into its message log (one line per body). */
    private static final Pattern BODY = Pattern.compile("<\\?xml[^>]*\\?><dialog-info .*?</dialog-info>");

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

    /** Every dialog-info body in a sipp message log, in order, a retransmitted NOTIFY's body once. */
    public static List<String> bodies(String sippMessages) {
        Set<String> bodies = new LinkedHashSet<>();
        Matcher m = BODY.matcher(sippMessages);
        while (m.find()) {
            bodies.add(m.group());
        }
        return List.copyOf(bodies);
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

    /** The one direct child of {@code parent} named {@code name} in the dialog-info namespace. */
    public static Element child(Element parent, String name) {
        NodeList list = parent.getElementsByTagNameNS(DialogInfo.NS, name);
        for (int i = 0; i < list.getLength(); i++) {
            if (list.item(i).getParentNode() == parent) {
                return (Element) list.item(i);
            }
        }
        throw new AssertionError("no <" + name + "> in <" + parent.getLocalName() + ">");
    }

    /** The text of that child. */
    public static String text(Element parent, String name) {
        return child(parent, name).getTextContent();
    }
}
