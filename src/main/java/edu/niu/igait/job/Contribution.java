package edu.niu.igait.job;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A research contribution as kept in {@code data/contributions/<id>/contribution.json} while this
 * machine works on it: what the contributor sent and agreed to, when and from where, the time that fixes
 * its keys in S3, where it stands, and what each stage has already done (so a repeated stage can tell).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Contribution {

    /** Where a contribution stands: its status code. */
    public enum Code {
        /** On disk, waiting to be stored in S3. */
        Received,
        /** In S3 with its consent record; the thank-you mail is on its way. */
        Stored,
        /** Stored and thanked. */
        Complete,
        /** Could not be stored (a refusal, or out of retries). */
        Failed,
        /** The contributor asked for it to be withdrawn; it is being deleted. */
        Withdrawing,
        /** Deleted: videos, consent record and record; only the fact remains. */
        Withdrawn
    }

    public String contributionId;
    public String uid;
    /** The contributor's name, as typed (trimmed): the consent's signature. */
    public String name;
    public String email;
    /** Each consent field of the form ({@code consent_study}, ...): true when it was sent as true. */
    public Map<String, Boolean> consents = new LinkedHashMap<>();
    public Instant receivedAt;
    /**
     * UNIX seconds that name the contribution's folder in S3 ({@code <prefix>/<uid>;<email>/<seconds>/}),
     * fixed at intake: every attempt writes the same keys.
     */
    public long seconds;
    /** The client's address as the service resolved it (http.ClientAddress). */
    public String client;
    /** The service's version that took the contribution. */
    public String version;
    public Job.Video front;
    public Job.Video side;
    public Status status;
    public Instant updatedAt;
    /** When the record was written to the job store (contributions/<uid>/<id>). */
    public Instant recordedAt;
    /** When S3 was found to hold the videos and the consent record; the local videos are deleted after it. */
    public Instant storedAt;
    public Instant thanksMailedAt;
    public String failureReason;

    /** The status: its code and the text shown with it. */
    public static class Status {
        public Code code;
        public String value;

        public Status() {
        }

        public Status(Code code, String value) {
            this.code = code;
            this.value = value;
        }
    }

    /** Sets the status. */
    public void setStatus(Code code, String value, Instant now) {
        this.status = new Status(code, value);
        this.updatedAt = now;
    }

    /** The two videos, front first, each with its side's name ({@code front}, {@code side}). */
    @JsonIgnore
    public Map<String, Job.Video> videos() {
        Map<String, Job.Video> videos = new LinkedHashMap<>();
        videos.put("front", front);
        videos.put("side", side);
        return videos;
    }

    /** A new contribution id: 128 random bits, base64url (as submission ids; a contribution's tickets and folder are named by it). */
    public static String newId() {
        return SubmissionId.next();
    }

    public static boolean isValidId(String id) {
        return SubmissionId.isValid(id);
    }

    static String requireId(String id) {
        if (!isValidId(id)) {
            throw new IllegalArgumentException("not a contribution id");
        }
        return id;
    }
}
