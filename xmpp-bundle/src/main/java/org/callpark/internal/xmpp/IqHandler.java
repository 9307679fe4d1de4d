package org.callpark.internal.xmpp;

import java.util.function.BiConsumer;

import org.dom4j.Element;
import org.xmpp.packet.IQ;
import org.xmpp.packet.PacketError;

/**
 * One kind of IQ the component answers, by type and child namespace (one handler per IQ, as jicofo keeps them). It
 * runs on the component's thread and sends its answer itself.
 */
interface IqHandler {

    IQ.Type type();

    /** The namespace of the IQ's child element. */
    String namespace();

    /** @param child the IQ's child element (never {@code null}) */
    void handle(IQ iq, Element child);

    /** A handler from a function, for the one-liners (ping). */
    static IqHandler of(IQ.Type type, String namespace, BiConsumer<IQ, Element> handle) {
        return new IqHandler() {
            @Override
            public IQ.Type type() {
                return type;
            }

            @Override
            public String namespace() {
                return namespace;
            }

            @Override
            public void handle(IQ iq, Element child) {
                handle.accept(iq, child);
            }
        };
    }

    /**
     * The result to a query IQ (XEP-0030 disco#info/#items): a {@code <query>} child in {@code namespace} that repeats
     * the request's {@code node} attribute, if any. The caller fills the query ({@link IQ#getChildElement()}) and
     * sends it.
     */
    static IQ queryResult(IQ iq, String namespace) {
        IQ result = IQ.createResultIQ(iq);
        Element query = result.setChildElement("query", namespace);
        Element request = iq.getChildElement();
        String node = request == null ? null : request.attributeValue("node");
        if (node != null) {
            query.addAttribute("node", node);
        }
        return result;
    }

    /** The error answer to {@code iq}: its child copied back, the condition and an optional text. */
    static IQ error(IQ iq, PacketError.Condition condition, String text) {
        IQ result = IQ.createResultIQ(iq);
        if (iq.getChildElement() != null) {
            result.setChildElement(iq.getChildElement().createCopy());
        }
        result.setError(text == null ? new PacketError(condition)
                : new PacketError(condition, condition.getDefaultType(), text));
        return result;
    }
}
