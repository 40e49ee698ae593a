package edu.niu.igait.completion;

import edu.niu.igait.mail.OperatorAlerts;

/**
 * Calls to the completion endpoint refused for a missing or wrong key, told to the operator without
 * flooding the mailbox: counted per caller's address into one alert per igait.alerts.window
 * (OperatorAlerts); never the key that was tried.
 */
public class RefusedCalls {

    private final OperatorAlerts alerts;

    public RefusedCalls(OperatorAlerts alerts) {
        this.alerts = alerts;
    }

    /** Notes one refused call from {@code address}; true for the first call of a new count. */
    public boolean refused(String address) {
        return alerts.note(OperatorAlerts.REFUSED_CALLS, address);
    }
}
