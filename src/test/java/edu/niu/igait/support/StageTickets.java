package edu.niu.igait.support;

import java.nio.file.Files;
import java.nio.file.Path;

/** What a test reads from a stage's ticket in the data folder ({@code stages/<stage>/<sid>}). */
public final class StageTickets {

    private StageTickets() {
    }

    /**
     * The attempts the ticket has noted since its stage first failed (its {@code retry.attempts}): at
     * least 1 once the stage met its peer down and waits to try again; 0 while there is no such ticket
     * or it cannot be read (it is being written).
     */
    public static int retries(Path ticket) {
        try {
            return Files.exists(ticket) ? Http.json(Files.readString(ticket)).path("retry").path("attempts").asInt() : 0;
        } catch (Exception e) {
            return 0;
        }
    }
}
