import { V2_SIGNATURE } from '../../src/net/proxy-protocol.js';

/*
 * PROXY protocol v2 headers built by hand from the spec (section 2.2), not by the parser's own code:
 * signature, version and command, family and transport, length, then the address block and TLVs.
 */

const u16 = (n: number): Buffer => {
  const out = Buffer.alloc(2);
  out.writeUInt16BE(n);
  return out;
};

/** `command`: 0x20 LOCAL, 0x21 PROXY. `family`: 0x11 TCP over IPv4, 0x21 TCP over IPv6, 0x00 UNSPEC, 0x31 UNIX. */
export function v2Header(command: number, family: number, block: Buffer): Buffer {
  return Buffer.concat([V2_SIGNATURE, Buffer.from([command, family]), u16(block.length), block]);
}

export function v2Tcp4(source: number[], sourcePort: number, destination: number[], destinationPort: number, tlvs = Buffer.alloc(0)): Buffer {
  const block = Buffer.concat([Buffer.from(source), Buffer.from(destination), u16(sourcePort), u16(destinationPort), tlvs]);
  return v2Header(0x21, 0x11, block);
}

/** Addresses as 32 hex digits. */
export function v2Tcp6(source: string, sourcePort: number, destination: string, destinationPort: number, tlvs = Buffer.alloc(0)): Buffer {
  const block = Buffer.concat([Buffer.from(source, 'hex'), Buffer.from(destination, 'hex'), u16(sourcePort), u16(destinationPort), tlvs]);
  return v2Header(0x21, 0x21, block);
}
