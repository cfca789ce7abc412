"""The outcomes framework, what measures and borough projects contribute to, the roll-up by outcome and the
commissioning catalogue."""
