"""The PhoneNumber feature: buy or adopt a Twilio number and wire it to a VoiceAgent through
a Twilio Elastic SIP trunk and LiveKit SIP (trunks and a dispatch rule).

Layers, top down: ``handlers`` (when to reconcile) → ``provision`` / ``cleanup`` (the steps
in order, conditions) → ``number``, ``trunk``, ``dispatch``, ``credentials``, ``sip_secret``,
``agent`` (one step each) → ``builders`` (pure) → ``twilio_client``, ``livekit_client`` (thin
clients over the official libraries).
"""
