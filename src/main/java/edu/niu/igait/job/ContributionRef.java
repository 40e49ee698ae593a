package edu.niu.igait.job;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Which research contribution a ticket is about: its id and its contributor's uid, nothing else (the
 * name, the address and the consents are in the contribution's record). A withdrawal's ticket also
 * keeps when it was asked for and, once sent, when its confirmation went out: the record it was sent
 * from is deleted by the withdrawal, so the ticket is what remembers it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ContributionRef {

    public String id;
    public String uid;
    @JsonProperty("requested_at")
    public Instant requestedAt;
    @JsonProperty("mailed_at")
    public Instant mailedAt;

    public ContributionRef() {
    }

    public ContributionRef(String id, String uid) {
        this.id = id;
        this.uid = uid;
    }
}
