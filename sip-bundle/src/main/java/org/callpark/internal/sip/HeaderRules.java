package org.callpark.internal.sip;

import java.text.ParseException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

import javax.sip.header.HeaderAddress;

import gov.nist.javax.sip.address.AddressImpl;
import gov.nist.javax.sip.header.SIPHeader;
import gov.nist.javax.sip.header.SIPHeaderList;
import gov.nist.javax.sip.parser.ParserFactory;

/**
 * RFC 3261 grammar rules that JAIN-SIP's header parsers do not enforce, checked per header of a received request on
 * what the stack's own parser makes of it (the RFC 4475 §3.1.2 torture messages {@code baddate}, {@code baddn},
 * {@code badaspec}, {@code regbadct} were accepted before). Each rule is the grammar's, not the sample's:
 * <ul>
 * <li><b>Date</b> (§20.17, §25.1: {@code rfc1123-date = wkday "," SP date1 SP time SP "GMT"}, date1 = 2DIGIT SP month
 * SP 4DIGIT): a Date value of any other shape, e.g. another time zone, is refused. The stack's own parser throws for a
 * non-GMT zone, but the header is not one it treats as fatal, so it dropped the header and kept the request.</li>
 * <li><b>Unquoted display name</b> (§25.1: {@code display-name = *(token LWS) / quoted-string}): a display name with an
 * ASCII character outside {@code token} and white space (a separator such as {@code , ; @ < "}, which makes the header
 * ambiguous) that was not sent as a quoted string is refused. Non-ASCII letters are let through unquoted although the
 * grammar wants quotes: carriers send {@code Jürgen <sip:…>}, and refusing that would drop a customer's call for a
 * cosmetic fault that is not ambiguous. The stack keeps
 * no trace of the quotes, so "was quoted" is: the header's text contains the parsed name between double quotes.</li>
 * <li><b>White space inside angle brackets</b> ({@code name-addr = [display-name] LAQUOT addr-spec RAQUOT},
 * {@code LAQUOT = SWS "<"}, {@code RAQUOT = ">" SWS}: no white space after {@code <} or before {@code >}).</li>
 * <li><b>addr-spec that needs angle brackets</b> (§20: "If the URI contains a comma, question mark or semicolon, the
 * URI MUST be enclosed in angle brackets"): a URI in addr-spec form (no {@code <>}) whose parsed form still carries
 * one of them, e.g. {@code ?headers} in a Contact.</li>
 * </ul>
 * Applied to the address headers (From, To, Contact, Reply-To, Route, Record-Route, Refer-To, Referred-By, the
 * P-*-Identity headers; long and compact names) and Date. A header the stack itself cannot parse is left to the
 * stack's own handling (except Date, above). Stateless.
 */
final class HeaderRules {

    /** Header names (lower case, long and compact) whose values carry name-addr / addr-spec. */
    private static final Set<String> ADDRESS_HEADERS = Set.of("from", "f", "to", "t", "contact", "m", "reply-to",
            "route", "record-route", "refer-to", "r", "referred-by", "b", "p-asserted-identity",
            "p-preferred-identity");

    /** RFC 3261 §25.1 rfc1123-date (ABNF literals are case-insensitive, RFC 2234 §2.3). */
    private static final Pattern RFC1123_DATE = Pattern.compile("(?i)(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-9]{2} "
            + "(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} GMT");

    /** RFC 3261 §25.1 token characters. */
    private static final Pattern TOKEN_OR_LWS = Pattern.compile("[A-Za-z0-9\\-.!%*_+`'~ \\t\\x{80}-\\x{10FFFF}]*");

    private HeaderRules() {
    }

    /**
     * The defect of one header line of a received request, as a fixed text for the 400's reason phrase (names the
     * rule and the header's canonical name, never the peer's bytes), or {@code null} when it keeps the rules.
     *
     * @param header the header as the stack hands it to its header parser: {@code name: value}, unfolded
     */
    static String defect(String header) {
        int colon = header.indexOf(':');
        if (colon <= 0) {
            return null;
        }
        String name = header.substring(0, colon).trim().toLowerCase(Locale.ROOT);
        String value = header.substring(colon + 1).trim();
        if ("date".equals(name)) {
            return RFC1123_DATE.matcher(value).matches() && parses(header) ? null : "malformed Date header";
        }
        if (!ADDRESS_HEADERS.contains(name)) {
            return null;
        }
        if (plainNameAddr(value)) {
            return null; // what nearly every phone sends: no rule can apply, no second parse
        }
        SIPHeader parsed;
        try {
            parsed = (SIPHeader) ParserFactory.createParser(header + "\n").parse();
        } catch (ParseException | RuntimeException e) {
            return null; // the stack's own verdict on it stands
        }
        List<?> values = parsed instanceof SIPHeaderList<?> list ? list.getHeaderList() : List.of(parsed);
        for (Object h : values) {
            if (h instanceof HeaderAddress a && a.getAddress() instanceof AddressImpl address) {
                String defect = defect(address, value);
                if (defect != null) {
                    return defect + " in " + ((SIPHeader) h).getHeaderName() + " header";
                }
            }
        }
        return null;
    }

    private static String defect(AddressImpl address, String value) {
        if (address.getAddressType() == AddressImpl.NAME_ADDR) {
            String name = address.getDisplayName();
            if (name != null && !TOKEN_OR_LWS.matcher(name).matches() && !value.contains('"' + name + '"')) {
                return "unquoted display name with special characters";
            }
            return whiteSpaceInAngleBrackets(value) ? "white space inside angle brackets" : null;
        }
        if (address.getAddressType() == AddressImpl.ADDRESS_SPEC && address.getURI() != null) {
            String uri = address.getURI().toString();
            if (uri.indexOf(',') >= 0 || uri.indexOf(';') >= 0 || uri.indexOf('?') >= 0) {
                return "URI with , ; or ? outside angle brackets";
            }
        }
        return null;
    }

    /**
     * One name-addr that keeps every rule by its text alone: it starts with {@code <} (no display name, not an
     * addr-spec) or with a quoted display name without quoted-pairs (the parsed name is then the text between the
     * quotes), holds no comma (one value only), and has no white space inside its angle brackets.
     */
    private static boolean plainNameAddr(String value) {
        if (value.isEmpty() || value.indexOf(',') >= 0) {
            return false;
        }
        char first = value.charAt(0);
        if (first == '"' && value.indexOf('\\') >= 0 || first != '<' && first != '"') {
            return false;
        }
        return !whiteSpaceInAngleBrackets(value);
    }

    /** A {@code <} followed or a {@code >} preceded by SP/HTAB, outside quoted strings (RFC 3261 LAQUOT/RAQUOT). */
    private static boolean whiteSpaceInAngleBrackets(String value) {
        boolean quoted = false;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (quoted) {
                if (c == '\\') {
                    i++; // quoted-pair
                } else if (c == '"') {
                    quoted = false;
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == '<' && i + 1 < value.length() && isWhite(value.charAt(i + 1))
                    || c == '>' && i > 0 && isWhite(value.charAt(i - 1))) {
                return true;
            }
        }
        return false;
    }

    private static boolean isWhite(char c) {
        return c == ' ' || c == '\t';
    }

    private static boolean parses(String header) {
        try {
            ParserFactory.createParser(header + "\n").parse();
            return true;
        } catch (ParseException | RuntimeException e) {
            return false;
        }
    }
}
