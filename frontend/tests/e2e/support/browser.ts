/** How every spec launches Debian's Chromium (no browser download), and the fake microphone the
 * calling specs add: a WAV file played as the capture device, the permission prompt answered. */

export const CHROMIUM_LAUNCH = {
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
  ],
};

/** Chromium with its microphone fed from `wav` (looped), and the prompt answered `answer`. */
export function withFakeMicrophone(wav: string, answer: "accept" | "deny" = "accept") {
  return {
    ...CHROMIUM_LAUNCH,
    args: [
      ...CHROMIUM_LAUNCH.args,
      "--use-fake-device-for-media-stream",
      answer === "accept" ? "--use-fake-ui-for-media-stream" : "--use-fake-ui-for-media-stream=deny",
      `--use-file-for-fake-audio-capture=${wav}`,
      // livekit-server on loopback offers 127.0.0.1 candidates; let the peer connection use
      // them, and announce real host addresses rather than mDNS names.
      "--allow-loopback-in-peer-connection",
      "--disable-features=WebRtcHideLocalIpsWithMdns",
      "--autoplay-policy=no-user-gesture-required",
    ],
  };
}
