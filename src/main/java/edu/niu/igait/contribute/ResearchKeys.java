package edu.niu.igait.contribute;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import edu.niu.igait.config.StartupException;
import edu.niu.igait.job.Contribution;
import edu.niu.igait.job.Job;

/**
 * Where a research contribution lies in S3, as the later iGait keeps them:
 * {@code <prefix>/<uid>;<email, @ written _at_>/<unix seconds>/} with {@code front.<ext>},
 * {@code side.<ext>} and {@code consent.json}; the prefix is {@code igait.contribute.s3-prefix}. The
 * seconds are the contribution's own, fixed at intake, so every attempt writes the same keys. An
 * address's {@code /} (RFC 5322 allows it; nobody uses it) is written {@code _}, so that it never makes a
 * folder of its own.
 */
public final class ResearchKeys {

    public static final String CONSENT = "consent.json";
    private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*");

    private final String prefix;

    public ResearchKeys(String prefix) {
        String p = prefix == null ? "" : prefix.strip();
        if (!PREFIX.matcher(p).matches() || p.equals(".") || p.equals("..") || p.contains("/./") || p.contains("/../")) {
            throw new StartupException("igait.contribute.s3-prefix must be a folder name such as research (letters, digits, '_', '-',"
                    + " '.', folders separated by '/'), got '" + prefix + "'");
        }
        this.prefix = p;
    }

    /** The contribution's folder, ending in {@code /}. */
    public String folder(String uid, String email, long seconds) {
        return prefix + "/" + uid + ";" + email.replace("@", "_at_").replace('/', '_') + "/" + seconds + "/";
    }

    /** Each object's key by what it holds: {@code front}, {@code side}, {@code consent}. */
    public Map<String, String> keys(Contribution contribution) {
        String folder = folder(contribution.uid, contribution.email, contribution.seconds);
        Map<String, String> keys = new java.util.LinkedHashMap<>();
        for (Map.Entry<String, Job.Video> video : contribution.videos().entrySet()) {
            keys.put(video.getKey(), folder + video.getValue().fileName(video.getKey()));
        }
        keys.put("consent", folder + CONSENT);
        return keys;
    }

    /** The keys alone, in the order they are written. */
    public List<String> all(Contribution contribution) {
        return new ArrayList<>(keys(contribution).values());
    }
}
