package edu.niu.igait.intake;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

import jakarta.activation.DataHandler;
import jakarta.activation.DataSource;
import jakarta.activation.FileDataSource;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;

import edu.niu.igait.config.StartupException;
import edu.niu.igait.http.ApiGuard;
import edu.niu.igait.http.RequestRejected;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import org.apache.camel.Exchange;
import org.apache.camel.attachment.AttachmentMessage;
import org.apache.camel.component.platform.http.vertx.HttpMessage;
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
    public static final Pattern UID = Pattern.compile("[A-Za-z0-9_-]{1,128}");
    private static final Pattern PRINTABLE = Pattern.compile("[^\\p{Cc}\\p{Cf}\\p{Zl}\\p{Zp}]+");

    private static final Logger LOG = LoggerFactory.getLogger("igait.intake");

    private final long maxVideoBytes;
    private final Set<String> extensions;
    private final Set<String> sexes;

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
        HttpServerRequest request = exchange.getIn(HttpMessage.class).getRequest();
        if (!ApiGuard.claimBody(request)) {
            // Answered already as cut short while this exchange was on its way: accept nothing.
            throw RequestRejected.badRequest("truncated", null, "the upload was cut short; send it again");
        }
        String method = request.method().name();
        if (!"POST".equals(method)) {
            throw new RequestRejected(405, "method_not_allowed", null,
                    method + " is not allowed here: send the upload with POST as multipart/form-data");
        }
        String contentType = request.getHeader("Content-Type");
        if (contentType == null || !contentType.toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
            throw RequestRejected.badRequest("not_multipart", null,
                    "the upload must be multipart/form-data with the fields " + String.join(", ", TEXT_FIELDS)
                            + " and the files " + FRONT + ", " + SIDE);
        }
        MultiMap form = request.formAttributes();
        AttachmentMessage attachments = exchange.getIn(AttachmentMessage.class);
        int partsReceived = exchange.getIn().getHeader(Exchange.ATTACHMENTS_SIZE, 0, Integer.class);
        Set<String> fileNames = attachments.hasAttachments() ? attachments.getAttachmentNames() : Set.of();

        List<String> unknown = new ArrayList<>();
        for (String name : form.names()) {
            if (!TEXT_FIELDS.contains(name) && !FILE_FIELDS.contains(name)) {
                unknown.add(name);
            }
        }
        for (String name : fileNames) {
            if (!TEXT_FIELDS.contains(name) && !FILE_FIELDS.contains(name)) {
                unknown.add(name);
            }
        }
        if (!unknown.isEmpty()) {
            LOG.info(edu.niu.igait.logging.Subsystem.INTAKE, "upload carries fields the service does not use, ignored: {}", unknown.stream().map(UploadValidator::printableName).toList());
        }

        // Files first: a missing video is the most common mistake and says the most.
        for (String field : FILE_FIELDS) {
            if (!fileNames.contains(field)) {
                if (form.contains(field)) {
                    throw RequestRejected.badRequest("file_expected", field, field + " must be sent as a file, not as a text field");
                }
                throw RequestRejected.badRequest("missing_field", field, "the video " + field + " is missing");
            }
        }
        for (String field : TEXT_FIELDS) {
            if (fileNames.contains(field)) {
                throw RequestRejected.badRequest("text_expected", field, field + " must be a text field, not a file");
            }
        }
        if (partsReceived > fileNames.size()) {
            throw RequestRejected.badRequest("duplicate_field", null,
                    "a file field was sent more than once: send " + FRONT + " and " + SIDE + " exactly once each");
        }
        for (String field : TEXT_FIELDS) {
            List<String> values = form.getAll(field);
            if (values.isEmpty()) {
                throw RequestRejected.badRequest("missing_field", field, "the field " + field + " is missing");
            }
            if (values.size() > 1) {
                throw RequestRejected.badRequest("duplicate_field", field, "the field " + field + " was sent " + values.size() + " times: send it once");
            }
        }
        for (String field : FILE_FIELDS) {
            if (form.getAll(field).size() > 0) {
                throw RequestRejected.badRequest("duplicate_field", field, field + " was sent both as a file and as a text field");
            }
        }

        String uid = form.get("uid");
        if (!UID.matcher(uid).matches()) {
            throw RequestRejected.badRequest("invalid_field", "uid",
                    "uid must be 1 to 128 characters of letters, digits, '_' or '-'");
        }
        int age = integer(form.get("age"), "age", 0, 120);
        int weight = integer(form.get("weight"), "weight", 1, 1000);
        String height = printable(form.get("height"), "height", 32);
        String ethnicity = printable(form.get("ethnicity"), "ethnicity", 64);
        String sex = form.get("sex").trim().toUpperCase(Locale.ROOT);
        if (!sexes.contains(sex)) {
            throw RequestRejected.badRequest("invalid_field", "sex", "sex must be one letter of " + String.join(", ", sexes));
        }
        String email = email(form.get("email"));

        Upload.Part front = part(attachments.getAttachment(FRONT), FRONT);
        Upload.Part side = part(attachments.getAttachment(SIDE), SIDE);
        return new Upload(uid, age, ethnicity, sex, height, weight, email, front, side);
    }

    private Upload.Part part(DataHandler handler, String field) {
        DataSource source = handler.getDataSource();
        if (!(source instanceof FileDataSource fileSource)) {
            throw new IllegalStateException("upload " + field + " did not arrive as a file: is camel.server.fileUploadEnabled on?");
        }
        Path file = fileSource.getFile().toPath();
        String name = source.getName() == null ? "" : source.getName();
        int dot = name.lastIndexOf('.');
        String ext = dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
        if (!extensions.contains(ext)) {
            throw new RequestRejected(415, "unsupported_media_type", field, field + " must be a video file with one of the extensions "
                    + String.join(", ", extensions) + (ext.isEmpty() ? "; the file name has none" : "; got '" + printableName(ext) + "'"));
        }
        long bytes;
        byte[] header = new byte[VideoFormat.HEADER_BYTES];
        int read;
        try {
            bytes = Files.size(file);
            try (InputStream in = Files.newInputStream(file)) {
                read = in.readNBytes(header, 0, header.length);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the uploaded " + field, e);
        }
        if (bytes == 0) {
            throw RequestRejected.badRequest("empty_file", field, field + " is empty");
        }
        if (bytes > maxVideoBytes) {
            throw new RequestRejected(413, "too_large", field, field + " is " + bytes + " bytes; each video may be at most " + maxVideoBytes + " bytes");
        }
        if (!VideoFormat.headerMatches(ext, header, read)) {
            throw new RequestRejected(415, "unsupported_media_type", field,
                    field + " is named ." + ext + " but its content is not a " + ext + " video");
        }
        return new Upload.Part(field, file, ext, bytes);
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

    private static String email(String text) {
        String value = text.strip();
        try {
            InternetAddress address = new InternetAddress(value, true);
            address.validate();
            int at = value.indexOf('@');
            if (address.getPersonal() == null && value.equals(address.getAddress()) && value.length() <= 254
                    && at > 0 && value.indexOf('.', at) > at + 1 && !value.endsWith(".") && !value.contains(" ")) {
                return value;
            }
        } catch (AddressException e) {
            // fall through to the message below
        }
        throw RequestRejected.badRequest("invalid_field", "email", "email must be a valid address such as parent@example.org");
    }

    /** A client-chosen name made safe for a log line. */
    static String printableName(String name) {
        String clean = name.replaceAll("[^\\x20-\\x7e]", "?");
        return clean.length() > 64 ? clean.substring(0, 64) + "..." : clean;
    }
}
