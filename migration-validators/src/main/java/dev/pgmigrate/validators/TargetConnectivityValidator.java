package dev.pgmigrate.validators;

import dev.pgmigrate.api.spi.ServerAccess;
import dev.pgmigrate.api.spi.ValidationContext;

/** I2, I3: the target accepts pgmigrate's login, over the TLS mode asked for. */
public final class TargetConnectivityValidator extends ConnectivityCheck {
    public TargetConnectivityValidator() {
        super("target-connectivity", "The target server is reachable and accepts the admin login.");
    }

    @Override
    ServerAccess server(ValidationContext context) {
        return context.target();
    }
}
