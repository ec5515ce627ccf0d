"""Training the buyer's question-to-fact matcher (``simulator.persona.understanding``)."""
