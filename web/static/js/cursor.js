// A console's place in a conference's event log: which pushed events to apply, which are repeats, and when
// one was lost.

// In a join's answer, the one stream of a staff console, which sees every event.
const EVERYTHING = "*";

/**
 * A console's place in the event log (the same rule as tests/support/cursor.py). Each event names its
 * stream and the seq of the previous event of that stream (`prev`); a join's answer gives the newest seq of
 * every stream this console sees, or `{"*": seq}` for staff, who see every event. An event whose predecessor
 * has not been applied is held until it comes; a join that shows a stream further on than the console got
 * means the console joins again from its head in that stream.
 */
export class Cursor {
  constructor(seq) {
    this.seq = seq;
    this.heads = {};
    this.held = new Map();
    this.missing = {};
  }

  get behind() {
    return this.held.size > 0 || this.lost;
  }

  // A join showed that an event is gone from the push stream for good: join again at once.
  get lost() {
    return Object.keys(this.missing).length > 0;
  }

  resumeFrom() {
    const held = [...this.held.values()].map((event) => this.head(event));
    return Math.min(this.seq, ...held, ...Object.values(this.missing));
  }

  joined(ack) {
    if (ack.snapshot) {
      this.heads = { ...ack.streams };
      this.seq = ack.seq;
      this.missing = {};
      return this.release();
    }
    this.seq = Math.max(this.seq, ack.seq);
    if (Object.keys(this.heads).length === 0) {
      // The first join: the console loaded its state after the page's seq, the replay brings the rest.
      this.heads = { ...ack.streams };
      return ack.events;
    }
    for (const event of ack.events) {
      if (!this.seen(event)) this.held.set(event.seq, event);
    }
    const replayed = this.release();
    // A stream still short of its newest event lost one from before this join's after_seq (say, the last of
    // that stream before a reconnect): the replay cannot bring it, a join from our head can.
    this.missing = {};
    for (const [stream, head] of Object.entries(ack.streams)) {
      if ((this.heads[stream] || 0) < head) this.missing[stream] = this.heads[stream] || 0;
    }
    return replayed;
  }

  push(event) {
    if (this.seen(event)) return [];
    this.held.set(event.seq, event);
    return this.release();
  }

  key(event) {
    return EVERYTHING in this.heads ? EVERYTHING : event.stream;
  }

  head(event) {
    return this.heads[this.key(event)] || 0;
  }

  seen(event) {
    return event.seq <= this.head(event);
  }

  follows(event) {
    // Lower than the head only when the stream's older events were pruned.
    const prev = EVERYTHING in this.heads ? event.seq - 1 : event.prev;
    return prev <= this.head(event);
  }

  release() {
    const ready = [];
    let progress = true;
    while (progress) {
      progress = false;
      for (const seq of [...this.held.keys()].sort((a, b) => a - b)) {
        const event = this.held.get(seq);
        if (this.seen(event)) {
          this.held.delete(seq);
        } else if (this.follows(event)) {
          this.held.delete(seq);
          this.heads[this.key(event)] = seq;
          this.seq = Math.max(this.seq, seq);
          ready.push(event);
          progress = true;
        }
      }
    }
    return ready;
  }
}
