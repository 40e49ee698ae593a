package edu.niu.igait.intake;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

import edu.niu.igait.http.RequestRejected;
import edu.niu.igait.job.Uid;
import edu.niu.igait.logging.Subsystem;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The checks every form the service takes shares: a field sent once, the uid and the mail address as
 * signed in, printable text, a yes-or-no. Text fields are read from the form only: the platform also
 * copies them into message headers, where a client's {@code uid:} header or {@code ?uid=} would mix
 * with them.
 */
public final class FormFields {

    private static final Logger LOG = LoggerFactory.getLogger("igait.intake");
    private static final Pattern PRINTABLE = Pattern.compile("[^\\p{Cc}\\p{Cf}\\p{Zl}\\p{Zp}]+");

    private FormFields() {
    }

    /** The form {@link UploadReceiver#receive} read for this exchange. */
    public static ReceivedUpload received(Exchange exchange) {
        ReceivedUpload form = exchange.getVariable(UploadReceiver.FORM, ReceivedUpload.class);
        if (form == null) {
            throw new IllegalStateException("the form's body was not read: the route must call uploadReceiver.receive first");
        }
        return form;
    }

    /** Logs the names (never the values) of fields the service does not use: they are ignored. */
    public static void logUnknown(ReceivedUpload form, Collection<String> known, String what) {
        List<String> unknown = new ArrayList<>();
        for (String name : form.fieldNames()) {
            if (!known.contains(name)) {
                unknown.add(name);
            }
        }
        for (ReceivedUpload.FilePart file : form.files()) {
            if (!known.contains(file.field()) && !unknown.contains(file.field())) {
                unknown.add(file.field());
            }
        }
        if (!unknown.isEmpty()) {
            LOG.info(Subsystem.INTAKE, "{} carries fields the service does not use, ignored: {}", what,
                    unknown.stream().map(FormFields::printableName).toList());
        }
    }

    /** Each text field is no file; each sent exactly once, except those in {@code optional}, which may be left out. */
    public static void requireText(ReceivedUpload form, Collection<String> fields, Set<String> optional) {
        for (String field : fields) {
            if (!form.files(field).isEmpty()) {
                throw RequestRejected.badRequest("text_expected", field, field + " must be a text field, not a file");
            }
        }
        for (String field : fields) {
            List<String> values = form.values(field);
            if (values.isEmpty() && optional.contains(field)) {
                continue;
            }
            if (values.isEmpty()) {
                throw RequestRejected.badRequest("missing_field", field, "the field " + field + " is missing");
            }
            if (values.size() > 1) {
                throw RequestRejected.badRequest("duplicate_field", field, "the field " + field + " was sent " + values.size() + " times: send it once");
            }
        }
    }

    /** The field's value, or null when it was not sent. */
    public static String value(ReceivedUpload form, String field) {
        List<String> values = form.values(field);
        return values.isEmpty() ? null : values.get(0);
    }

    /**
     * The uid the form is for: the token's when signed in (a form {@code uid} must then be the same, else
     * {@code 403 uid_mismatch}), else the form's.
     */
    public static String uid(ReceivedUpload form, String tokenUid) {
        String uid = form.values("uid").isEmpty() ? tokenUid : value(form, "uid");
        if (tokenUid != null && !tokenUid.equals(uid)) {
            throw new RequestRejected(403, "uid_mismatch", "uid",
                    "the form's uid is not the signed-in user's: leave it out, or send the uid of the token");
        }
        if (!Uid.isValid(uid)) {
            throw RequestRejected.badRequest("invalid_field", "uid", "uid must be " + Uid.RULE);
        }
        return uid;
    }

    /**
     * The address the service mails: the form's {@code email}, or with {@code igait.mail.recipient=token}
     * the signed-in account's verified one (a form email must then be the same, else {@code 403 email_mismatch}).
     */
    public static String email(ReceivedUpload form, String tokenEmail) {
        if (tokenEmail == null) {
            return email(value(form, "email"));
        }
        String sent = value(form, "email");
        if (sent != null && !sent.strip().equalsIgnoreCase(tokenEmail)) {
            throw new RequestRejected(403, "email_mismatch", "email", "the service mails the signed-in account's email"
                    + " address (igait.mail.recipient=token): leave email out, or send that address");
        }
        return email(tokenEmail);
    }

    /**
     * One plain address the mail server will take: an addr-spec of a dot-atom local part and a domain
     * name (RFC 5321/5322), nothing else: no display name, no group, no list, no quoted local part, no
     * comments, no control characters, ASCII only; at most 64 characters before the @ and 254 in all.
     */
    public static String email(String text) {
        String value = text.strip();
        int at = value.lastIndexOf('@');
        if (value.length() <= 254 && at > 0 && at <= 64 && ADDR_SPEC.matcher(value).matches()) {
            return value;
        }
        throw RequestRejected.badRequest("invalid_field", "email", "email must be one plain address such as parent@example.org");
    }

    private static final String ATEXT = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+";
    private static final String LABEL = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?";
    private static final Pattern ADDR_SPEC = Pattern.compile(ATEXT + "(?:\\." + ATEXT + ")*@" + LABEL + "(?:\\." + LABEL + ")+");

    /** 1 to {@code max} printable characters (no control or format characters, no line breaks), trimmed. */
    public static String printable(String text, String field, int max) {
        String value = text.strip();
        if (value.isEmpty() || value.codePointCount(0, value.length()) > max || !PRINTABLE.matcher(value).matches()) {
            throw RequestRejected.badRequest("invalid_field", field, field + " must be 1 to " + max + " printable characters");
        }
        return value;
    }

    /** A yes-or-no field: true, false, 1, 0, yes, no, on, off (any case); absent or empty is no. */
    public static boolean flag(String value, String field) {
        if (value == null || value.isEmpty()) {
            return false;
        }
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes", "on" -> true;
            case "false", "0", "no", "off" -> false;
            default -> throw RequestRejected.badRequest("invalid_field", field, field + " must be true or false");
        };
    }

    /** A client-chosen name made safe for a log line. */
    public static String printableName(String name) {
        String clean = name.replaceAll("[^\\x20-\\x7e]", "?");
        return clean.length() > 64 ? clean.substring(0, 64) + "..." : clean;
    }
}
