/** A short two-tone chime for a new offer, made with Web Audio (no sound files: the CSP allows none from elsewhere). */
let context: AudioContext | null = null;

export function playOfferSound(): void {
  try {
    context ??= new AudioContext();
    const t = context.currentTime;
    for (const [i, frequency] of [880, 660].entries()) {
      const osc = context.createOscillator();
      const gain = context.createGain();
      osc.type = "sine";
      osc.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, t + i * 0.18);
      gain.gain.exponentialRampToValueAtTime(0.2, t + i * 0.18 + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, t + i * 0.18 + 0.16);
      osc.connect(gain).connect(context.destination);
      osc.start(t + i * 0.18);
      osc.stop(t + i * 0.18 + 0.17);
    }
  } catch {
    // No audio (a browser policy before any click): the title and the offer card still tell.
  }
}
