package org.callpark.internal.blf;

import java.io.StringWriter;
import java.util.List;
import java.util.Objects;

import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

import org.callpark.api.BlfOptions;

/**
 * Writes RFC 4235 {@code application/dialog-info+xml} documents for a park slot with a real XML writer
 * ({@link XMLStreamWriter}), so that a caller's display name with {@code <}, {@code &} or {@code "} stays text.
 * Characters XML 1.0 cannot carry at all (control characters, unpaired surrogates) are dropped.
 * <p>
 * Every document is {@code state="full"}. An empty slot is a document without {@code <dialog>}. Each parked call is one
 * dialog, {@code direction="recipient"}:
 * <ul>
 * <li>{@code <state>confirmed</state>} with the local target's {@code +sip.rendering=no} (a held call: Yealink shows a
 * slow flash), or {@code early} per tenant ({@link BlfOptions.DialogState});</li>
 * <li>local identity and target = the slot URI the phone subscribed to;</li>
 * <li>remote identity = the parked caller (display name as attribute), remote target = the retrieve URI, so a key
 * press or a pickup dials {@code *88<ext>} / {@code park+<Group>};</li>
 * <li>with {@link BlfOptions#broadWorks()} also {@code <bw:callpark><bw:parked><bw:identity/>} in the namespace
 * {@value #BROADWORKS_NS}, for phones in BroadSoft mode.</li>
 * </ul>
 */
public final class DialogInfo {

    public static final String CONTENT_TYPE = "application";
    public static final String CONTENT_SUBTYPE = "dialog-info+xml";
    public static final String NS = "urn:ietf:params:xml:ns:dialog-info";
    public static final String BROADWORKS_NS = "http://schema.broadsoft.com/callpark";

    private static final XMLOutputFactory FACTORY = XMLOutputFactory.newDefaultFactory();

    /**
     * One parked call as a dialog.
     *
     * @param id          the dialog id (the parked call's id)
     * @param callerUri   the parked caller as a SIP URI
     * @param callerName  the caller's display name, may be empty
     * @param retrieveUri the URI that picks the call up
     * @param seconds     how long it has been parked
     */
    public record Parked(String id, String callerUri, String callerName, String retrieveUri, long seconds) {
        public Parked {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(callerUri, "callerUri");
            callerName = callerName == null ? "" : callerName;
            Objects.requireNonNull(retrieveUri, "retrieveUri");
        }
    }

    private DialogInfo() {
    }

    /**
     * The full document.
     *
     * @param entity  the slot URI the subscription is for (also the local identity of each dialog)
     * @param version the subscription's document version
     * @param calls   the slot's parked calls in pickup order
     * @param options the tenant's BLF options
     */
    public static String document(String entity, long version, List<Parked> calls, BlfOptions options) {
        StringWriter out = new StringWriter(256 + calls.size() * 512);
        try {
            XMLStreamWriter w = FACTORY.createXMLStreamWriter(out);
            w.writeStartDocument("UTF-8", "1.0");
            w.writeStartElement("", "dialog-info", NS);
            w.writeDefaultNamespace(NS);
            w.writeAttribute("version", Long.toString(version));
            w.writeAttribute("state", "full");
            w.writeAttribute("entity", clean(entity));
            for (Parked call : calls) {
                dialog(w, entity, call, options);
            }
            w.writeEndElement();
            w.writeEndDocument();
            w.close();
        } catch (XMLStreamException e) {
            throw new IllegalStateException("cannot write dialog-info: " + e.getMessage(), e);
        }
        return out.toString();
    }

    private static void dialog(XMLStreamWriter w, String entity, Parked call, BlfOptions options)
            throws XMLStreamException {
        w.writeStartElement("dialog");
        w.writeAttribute("id", clean(call.id()));
        w.writeAttribute("direction", "recipient");
        w.writeStartElement("state");
        w.writeCharacters(options.state() == BlfOptions.DialogState.EARLY ? "early" : "confirmed");
        w.writeEndElement();
        w.writeStartElement("duration");
        w.writeCharacters(Long.toString(Math.max(0, call.seconds())));
        w.writeEndElement();

        w.writeStartElement("local");
        identity(w, NS, entity, "");
        w.writeStartElement("target");
        w.writeAttribute("uri", clean(entity));
        if (options.state() == BlfOptions.DialogState.CONFIRMED) {
            w.writeEmptyElement("param");
            w.writeAttribute("pname", "+sip.rendering");
            w.writeAttribute("pval", "no");
        }
        w.writeEndElement(); // target
        w.writeEndElement(); // local

        w.writeStartElement("remote");
        identity(w, NS, call.callerUri(), call.callerName());
        w.writeEmptyElement("target");
        w.writeAttribute("uri", clean(call.retrieveUri()));
        w.writeEndElement(); // remote

        if (options.broadWorks()) {
            w.writeStartElement("bw", "callpark", BROADWORKS_NS);
            w.writeNamespace("bw", BROADWORKS_NS);
            w.writeStartElement("bw", "parked", BROADWORKS_NS);
            identity(w, BROADWORKS_NS, call.callerUri(), call.callerName());
            w.writeEndElement(); // parked
            w.writeEndElement(); // callpark
        }
        w.writeEndElement(); // dialog
    }

    private static void identity(XMLStreamWriter w, String ns, String uri, String displayName)
            throws XMLStreamException {
        if (BROADWORKS_NS.equals(ns)) {
            w.writeStartElement("bw", "identity", ns);
        } else {
            w.writeStartElement("identity"); // the default namespace, declared on the root
        }
        String name = clean(displayName).trim();
        if (!name.isEmpty()) {
            w.writeAttribute("display-name", name);
        }
        w.writeCharacters(clean(uri));
        w.writeEndElement();
    }

    /** The text without characters XML 1.0 cannot represent (the writer escapes everything else). */
    static String clean(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok;
            if (Character.isHighSurrogate(c)) {
                ok = i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
                if (ok) {
                    if (b != null) {
                        b.append(c).append(s.charAt(i + 1));
                    }
                    i++;
                    continue;
                }
            } else if (Character.isLowSurrogate(c)) {
                ok = false;
            } else {
                ok = c == '\t' || c == '\n' || c == '\r' || (c >= 0x20 && c != 0xFFFE && c != 0xFFFF);
            }
            if (!ok && b == null) {
                b = new StringBuilder(s.length()).append(s, 0, i);
            } else if (ok && b != null) {
                b.append(c);
            }
        }
        return b == null ? s : b.toString();
    }

    /**
     * A SIP URI {@code sip:<user>@<host>} with the user part percent-encoded where RFC 3261 does not allow the
     * character ({@code anonymous@anonymous.invalid} for an empty user).
     */
    public static String sipUri(String user, String host) {
        if (user == null || user.isEmpty()) {
            return "sip:anonymous@anonymous.invalid";
        }
        StringBuilder b = new StringBuilder("sip:");
        for (byte x : user.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            char c = (char) (x & 0xff);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "-_.!~*'()&=+$,;?/".indexOf(c) >= 0) {
                b.append(c);
            } else {
                b.append('%').append(String.format("%02X", x & 0xff));
            }
        }
        return b.append('@').append(host).toString();
    }
}
