"""DMP (Mon espace santé): IHE XDS.b client (ITI-41, ITI-18, ITI-43) with the VIHF
assertion, a loopback simulator, consent records and the sending outbox."""
