package edu.niu.igait.intake;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

import edu.niu.igait.config.StartupException;
import edu.niu.igait.http.RequestRejected;
import edu.niu.igait.http.HttpEdge;
import org.apache.camel.Exchange;

/**
 * Checks an upload as the iGait app sends it: the child's data here, the videos as every form that
 * carries them ({@link VideoChecks}), the uid and address as signed in ({@link FormFields}).
 */
public class UploadValidator {

    public static final String FRONT = VideoChecks.FRONT;
    public static final String SIDE = VideoChecks.SIDE;
    public static final List<String> TEXT_FIELDS = List.of("uid", "age", "ethnicity", "sex", "height", "weight", "email");
    public static final List<String> FILE_FIELDS = VideoChecks.FIELDS;

    private final VideoChecks videos;
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
        this.videos = new VideoChecks(maxVideoBytes, extensions);
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
        return videos.maxVideoBytes();
    }

    /** The video checks, shared with the other forms that carry videos. */
    public VideoChecks videos() {
        return videos;
    }

    public Upload validate(Exchange exchange) {
        ReceivedUpload form = FormFields.received(exchange);
        // The token's uid when uploads are authenticated: then the form's is optional, and must match.
        String tokenUid = exchange.getVariable(HttpEdge.UID, String.class);
        // With igait.mail.recipient=token, the token's verified email: the form's is optional, and must match.
        String tokenEmail = exchange.getVariable(HttpEdge.MAIL_TO, String.class);

        List<String> known = new ArrayList<>(TEXT_FIELDS);
        known.addAll(FILE_FIELDS);
        FormFields.logUnknown(form, known, "upload");
        videos.sent(form);
        Set<String> optional = new HashSet<>();
        if (tokenUid != null) {
            optional.add("uid");
        }
        if (tokenEmail != null) {
            optional.add("email");
        }
        FormFields.requireText(form, TEXT_FIELDS, optional);

        String uid = FormFields.uid(form, tokenUid);
        int age = integer(value(form, "age"), "age", this.age.min(), this.age.max());
        int weight = integer(value(form, "weight"), "weight", this.weight.min(), this.weight.max());
        String height = FormFields.printable(value(form, "height"), "height", 32);
        String ethnicity = FormFields.printable(value(form, "ethnicity"), "ethnicity", 64);
        String sex = value(form, "sex").trim().toUpperCase(Locale.ROOT);
        if (!sexes.contains(sex)) {
            throw RequestRejected.badRequest("invalid_field", "sex", "sex must be one letter of " + String.join(", ", sexes));
        }
        String email = FormFields.email(form, tokenEmail);

        VideoChecks.Videos checked = videos.videos(form);
        return new Upload(uid, age, ethnicity, sex, height, weight, email, checked.front(), checked.side());
    }

    private static String value(ReceivedUpload form, String field) {
        return form.values(field).get(0);
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

    /** A client-chosen name made safe for a log line. */
    public static String printableName(String name) {
        return FormFields.printableName(name);
    }
}
