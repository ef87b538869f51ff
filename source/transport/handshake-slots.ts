import os from 'node:os';
import {Semaphore} from '../util/semaphore.js';

/**
 * SSH handshakes in progress at once, over every node: two per core, at most 8. A handshake
 * is CPU on both ends (crimon's key exchange, and sshd's when the nodes share a host or a
 * ProxyJump bastion); past about two per core they only queue for the CPU and each one
 * stretches toward its timeout. The cap of 8 stays under sshd's MaxStartups (10 by default:
 * past it sshd drops unauthenticated connections, "Connection lost before handshake").
 * Measured over 50 aliases of one sshd on 2 cores (load 8-12): 2, 4 and 8 at once reached
 * 50/50 in 3.9-5.3 s, alike within the noise; 16 lost 3-7 nodes to MaxStartups.
 * Polls of connected nodes are not held by this.
 */
export function handshakeSlots(cores: number): number {
	return Math.max(2, Math.min(8, 2 * Math.floor(cores)));
}
export const MAX_HANDSHAKES = handshakeSlots(os.availableParallelism());
/** Shared by every SshTransport in the process. */
export const HANDSHAKES = new Semaphore(MAX_HANDSHAKES);
