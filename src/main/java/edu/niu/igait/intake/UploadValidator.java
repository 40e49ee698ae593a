package edu.niu.igait.intake;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

import edu.niu.igait.config.StartupException;
import edu.niu.igait.http.RequestRejected;
import edu.niu.igait.job.Uid;
import edu.niu.igait.http.HttpEdge;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks an upload as the iGait app sends it. Text fields are read from the form only: the platform
 * also copies them into message headers, where a client's {@code uid:} header or {@code ?uid=} would
 * mix with them.
 */
public class UploadValidator {

    public static final String FRONT = "fileuploadfront";
    public static final String SIDE = "fileuploadside";
    public static final List<String> TEXT_FIELDS = List.of("uid", "age", "ethnicity", "sex", "height", "weight", "email");
    public static final List<String> FILE_FIELDS = List.of(FRONT, SIDE);

    /** A Firebase uid; it becomes part of S3 keys, file names and the Metis command, so nothing else passes. */

    private static final Pattern PRINTABLE = Pattern.compile("[^\\p{Cc}\\p{Cf}\\p{Zl}\\p{Zp}]+");

    private static final Logger LOG = LoggerFactory.getLogger("igait.intake");

    private final long maxVideoBytes;
    private final Set<String> extensions;
    private final Set<String> sexes;

    /** The bounds of the numbers a parent enters: igait.upload.age and igait.upload.weight, {@code min..max}. */
    public record Bounds(int min, int max) {
        public static Bounds parse(String property, String text) {
            java.util.regex.Matcher m = Pattern.compile("\\s*(\\d{1,9})\\s*\\.\\.\\s*(\\d{1,9})\\s*").matcher(text);
            if (!m.matches() || Integer.parseInt(m.group(1)) > Integer.parseInt(m.group(2))) {
                throw new StartupException("property " + property + " must be a range such as 0..120, got '" + text + "'");
            }
            return new Bounds(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
        }
    }

    private Bounds age = new Bounds(0, 120);
    private Bounds weight = new Bounds(1, 1000);

    /** Sets the bounds of age and weight (the app's own limits by default). */
    public UploadValidator bounds(Bounds age, Bounds weight) {
        this.age = age;
        this.weight = weight;
        return this;
    }

    public UploadValidator(long maxVideoBytes, String extensions, String sexes) {
        if (maxVideoBytes <= 0) {
            throw new StartupException("igait.upload.max-video-bytes must be a positive number of bytes");
        }
        this.maxVideoBytes = maxVideoBytes;
        this.extensions = new LinkedHashSet<>();
        for (String e : extensions.split("[,\\s]+")) {
            if (e.isBlank()) {
                continue;
            }
            String ext = e.trim().toLowerCase(Locale.ROOT);
            if (VideoFormat.forExtension(ext).isEmpty()) {
                throw new StartupException("igait.upload.extensions names '" + ext
                        + "', which is not a video container the service can recognise (mp4 mov m4v 3gp avi mkv webm wmv flv)");
            }
            this.extensions.add(ext);
        }
        if (this.extensions.isEmpty()) {
            throw new StartupException("igait.upload.extensions must list at least one video extension");
        }
        this.sexes = new LinkedHashSet<>();
        for (String s : sexes.split("[,\\s]+")) {
            if (s.isBlank()) {
                continue;
            }
            if (s.trim().length() != 1 || !Character.isLetter(s.trim().charAt(0))) {
                throw new StartupException("igait.upload.sexes must be single letters separated by commas, got '" + s + "'");
            }
            this.sexes.add(s.trim().toUpperCase(Locale.ROOT));
        }
        if (this.sexes.isEmpty()) {
            throw new StartupException("igait.upload.sexes must list at least one letter");
        }
    }

    public long maxVideoBytes() {
        return maxVideoBytes;
    }

    public Upload validate(Exchange exchange) {
        ReceivedUpload form = exchange.getVariable(UploadReceiver.FORM, ReceivedUpload.class);
        if (form == null) {
            throw new IllegalStateException("the upload's body was not read: the route must call uploadReceiver.receive first");
        }
        // The token's uid when uploads are authenticated: then the form's is optional, and must match.
        String tokenUid = exchange.getVariable(HttpEdge.UID, String.class);
        // With igait.mail.recipient=token, the token's verified email: the form's is optional, and must match.
        String tokenEmail = exchange.getVariable(HttpEdge.MAIL_TO, String.class);

        List<String> unknown = new ArrayList<>();
        for (String name : form.fieldNames()) {
            if (!TEXT_FIELDS.contains(name) && !FILE_FIELDS.contains(name)) {
                unknown.add(name);
            }
        }
        for (ReceivedUpload.FilePart file : form.files()) {
            if (!TEXT_FIELDS.contains(file.field()) && !FILE_FIELDS.contains(file.field()) && !unknown.contains(file.field())) {
                unknown.add(file.field());
            }
        }
        if (!unknown.isEmpty()) {
            LOG.info(edu.niu.igait.logging.Subsystem.INTAKE, "upload carries fields the service does not use, ignored: {}", unknown.stream().map(UploadValidator::printableName).toList());
        }

        // Files first: a missing video is the most common mistake and says the most.
        for (String field : FILE_FIELDS) {
            if (form.files(field).isEmpty()) {
                if (!form.values(field).isEmpty()) {
                    throw RequestRejected.badRequest("file_expected", field, field + " must be sent as a file, not as a text field");
                }
                throw RequestRejected.badRequest("missing_field", field, "the video " + field + " is missing");
            }
        }
        for (String field : TEXT_FIELDS) {
            if (!form.files(field).isEmpty()) {
                throw RequestRejected.badRequest("text_expected", field, field + " must be a text field, not a file");
            }
        }
        for (String field : FILE_FIELDS) {
            if (form.files(field).size() > 1) {
                throw RequestRejected.badRequest("duplicate_field", field,
                        field + " was sent " + form.files(field).size() + " times: send " + FRONT + " and " + SIDE + " exactly once each");
            }
        }
        for (String field : TEXT_FIELDS) {
            List<String> values = form.values(field);
            if (values.isEmpty() && (field.equals("uid") && tokenUid != null || field.equals("email") && tokenEmail != null)) {
                continue;
            }
            if (values.isEmpty()) {
                throw RequestRejected.badRequest("missing_field", field, "the field " + field + " is missing");
            }
            if (values.size() > 1) {
                throw RequestRejected.badRequest("duplicate_field", field, "the field " + field + " was sent " + values.size() + " times: send it once");
            }
        }
        for (String field : FILE_FIELDS) {
            if (!form.values(field).isEmpty()) {
                throw RequestRejected.badRequest("duplicate_field", field, field + " was sent both as a file and as a text field");
            }
        }

        String uid = form.values("uid").isEmpty() ? tokenUid : value(form, "uid");
        if (tokenUid != null && !tokenUid.equals(uid)) {
            throw new RequestRejected(403, "uid_mismatch", "uid",
                    "the form's uid is not the signed-in user's: leave it out, or send the uid of the token");
        }
        if (!Uid.isValid(uid)) {
            throw RequestRejected.badRequest("invalid_field", "uid",
                    "uid must be 1 to 128 characters of letters, digits, '_' or '-'");
        }
        int age = integer(value(form, "age"), "age", this.age.min(), this.age.max());
        int weight = integer(value(form, "weight"), "weight", this.weight.min(), this.weight.max());
        String height = printable(value(form, "height"), "height", 32);
        String ethnicity = printable(value(form, "ethnicity"), "ethnicity", 64);
        String sex = value(form, "sex").trim().toUpperCase(Locale.ROOT);
        if (!sexes.contains(sex)) {
            throw RequestRejected.badRequest("invalid_field", "sex", "sex must be one letter of " + String.join(", ", sexes));
        }
        String email;
        if (tokenEmail == null) {
            email = email(value(form, "email"));
        } else {
            email = email(tokenEmail);
            if (!form.values("email").isEmpty() && !form.values("email").get(0).strip().equalsIgnoreCase(tokenEmail)) {
                throw new RequestRejected(403, "email_mismatch", "email", "the results go to the signed-in account's email"
                        + " address (igait.mail.recipient=token): leave email out, or send that address");
            }
        }

        Upload.Part front = part(form.files(FRONT).get(0));
        Upload.Part side = part(form.files(SIDE).get(0));
        return new Upload(uid, age, ethnicity, sex, height, weight, email, front, side);
    }

    private static String value(ReceivedUpload form, String field) {
        return form.values(field).get(0);
    }

    private Upload.Part part(ReceivedUpload.FilePart file) {
        String field = file.field();
        String name = file.filename() == null ? "" : file.filename();
        int dot = name.lastIndexOf('.');
        String ext = dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
        if (!extensions.contains(ext)) {
            throw new RequestRejected(415, "unsupported_media_type", field, field + " must be a video file with one of the extensions "
                    + String.join(", ", extensions) + (ext.isEmpty() ? "; the file name has none" : "; got '" + printableName(ext) + "'"));
        }
        long bytes = file.bytes();
        if (bytes == 0) {
            throw RequestRejected.badRequest("empty_file", field, field + " is empty");
        }
        if (file.tempFile() == null) {
            throw new IllegalStateException(field + " was not stored by the UploadReceiver");
        }
        if (bytes > maxVideoBytes) {
            throw new RequestRejected(413, "too_large", field, field + " is " + bytes + " bytes; each video may be at most " + maxVideoBytes + " bytes");
        }
        byte[] header = file.head();
        if (!VideoFormat.headerMatches(ext, header, header.length)) {
            throw new RequestRejected(415, "unsupported_media_type", field,
                    field + " is named ." + ext + " but its content is not a " + ext + " video");
        }
        return new Upload.Part(field, file.tempFile(), ext, bytes);
    }

    private static int integer(String text, String field, int min, int max) {
        try {
            int value = Integer.parseInt(text.trim());
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // fall through to the message below
        }
        throw RequestRejected.badRequest("invalid_field", field, field + " must be a whole number from " + min + " to " + max);
    }

    private static String printable(String text, String field, int max) {
        String value = text.strip();
        if (value.isEmpty() || value.codePointCount(0, value.length()) > max || !PRINTABLE.matcher(value).matches()) {
            throw RequestRejected.badRequest("invalid_field", field, field + " must be 1 to " + max + " printable characters");
        }
        return value;
    }

    /**
     * One plain address the mail server will take: an addr-spec of a dot-atom local part and a domain
     * name (RFC 5321/5322), nothing else: no display name, no group, no list, no quoted local part, no
     * comments, no control characters, ASCII only; at most 64 characters before the @ and 254 in all.
     */
    static String email(String text) {
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

    /** A client-chosen name made safe for a log line. */
    public static String printableName(String name) {
        String clean = name.replaceAll("[^\\x20-\\x7e]", "?");
        return clean.length() > 64 ? clean.substring(0, 64) + "..." : clean;
    }
}
