package org.callpark.internal.sip;

import gov.nist.javax.sip.parser.MessageParser;
import gov.nist.javax.sip.parser.MessageParserFactory;
import gov.nist.javax.sip.stack.SIPTransactionStack;

/**
 * Gives the stack the {@link SafeMessageParser}; loaded by name from the stack property
 * {@code gov.nist.javax.sip.MESSAGE_PARSER_FACTORY} ({@link SipEndpoint}), so public with a no-arg constructor.
 */
public final class SafeMessageParserFactory implements MessageParserFactory {

    private static final MessageParser PARSER = new SafeMessageParser();

    public SafeMessageParserFactory() {
    }

    @Override
    public MessageParser createMessageParser(SIPTransactionStack stack) {
        return PARSER;
    }
}
