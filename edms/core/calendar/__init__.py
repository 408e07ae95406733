"""The working-day calendar (производственный календарь): every deadline in the system is counted here."""
