package edu.niu.igait.contribute;

import java.util.Map;

import edu.niu.igait.intake.Upload;

/**
 * A checked research contribution: whose (the uid), the contributor's name as typed and address, each
 * consent field of the form (true when sent as true), the client's address, and the two videos, still
 * where the receiver stored them.
 */
public record ContributionRequest(String uid, String name, String email, Map<String, Boolean> consents, String client,
                                  Upload.Part front, Upload.Part side) {

    public ContributionRequest {
        consents = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(consents));
    }

    @Override
    public String toString() {
        // Never the name or the address: a log line may print a request.
        return "ContributionRequest[uid " + uid + ", " + front + ", " + side + "]";
    }
}
