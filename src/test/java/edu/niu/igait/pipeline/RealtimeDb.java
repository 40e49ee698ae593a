package edu.niu.igait.pipeline;

import com.fasterxml.jackson.databind.JsonNode;

import edu.niu.igait.support.Peers;

/** Reading a submission's job from the Realtime Database peer, for the pipeline tests. */
final class RealtimeDb {

    private RealtimeDb() {
    }

    /** The index of the job carrying this submission id in {@code users/<uid>/jobs}. */
    static int jobIndex(Peers peers, String uid, String sid) {
        JsonNode jobs = peers.user(uid).path("jobs");
        for (int i = 0; i < jobs.size(); i++) {
            if (sid.equals(jobs.get(i).path("submission_id").asText())) {
                return i;
            }
        }
        throw new AssertionError("no job with submission id " + sid + " under users/" + uid + ": " + jobs);
    }

    /** {@code users/<uid>/jobs/<n>/status} of this submission, as the Realtime Database holds it. */
    static JsonNode status(Peers peers, String uid, String sid) {
        return peers.user(uid).path("jobs").get(jobIndex(peers, uid, sid)).get("status");
    }
}
