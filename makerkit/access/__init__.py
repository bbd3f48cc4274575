"""Who may use the class broker and what each login may do there.

``passwords`` makes and checks passwords (mosquitto's ``$7$`` PBKDF2-SHA512 hashes), ``rules`` is the one
model of which role may publish and subscribe where, ``logins`` issues logins into the store, ``mosquitto``
writes a mosquitto configuration that enforces the rules, ``certs`` makes a class CA and a broker
certificate for ``mqtts://``. The embedded broker (:mod:`makerkit.broker`) enforces the same rules.
"""
