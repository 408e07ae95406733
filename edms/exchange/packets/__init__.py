"""МЭДО packets as pure data: the envelope, the safe zip opener, the neutral model of a read packet, the readers of
every generation (classic 2.2–2.6, 2.7, 2.7.1) and the writers. No database, no request, no audit here.

Entry points of reading: `reader.read_packet(files)`, `reader.read_packet_zip(data)` and
`reader.verify_packet_signatures(packet, trust)`; every refusal is `errors.PacketRejected`.
"""
