#!/bin/sh
# Regenerates the shipped default hold music and prompts (see src/main/resources/audio/README.md).
# Needs sox and espeak-ng (Debian: apt-get install -y sox espeak-ng). Deterministic apart from espeak-ng's version.
set -eu
out=${1:-$(dirname "$0")/../src/main/resources/audio}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rate=16000
# Four chords, 6 s each (I - vi - IV - V in C major), each: a soft sustained pad (root, third, fifth one octave down)
# plus a plucked arpeggio of eight notes per bar (root, third, fifth, octave, fifth, third ...), 0.375 s per note.
chord() { # name root third fifth (Hz)
  n=$1; r=$2; t=$3; f=$4; o=$(echo "$r*2" | bc -l)
  i=0
  for note in $r $t $f $o $f $t $r $t $f $o $f $t $r $t $f $o; do
    sox -n -r $rate -c 1 -b 16 "$tmp/$n-$i.wav" synth 0.375 pluck "$note" fade q 0.005 0.375 0.2 vol 0.55
    i=$((i+1))
  done
  sox $(for k in $(seq 0 15); do echo "$tmp/$n-$k.wav"; done) "$tmp/$n-arp.wav"
  hr=$(echo "$r/2" | bc -l); ht=$(echo "$t/2" | bc -l); hf=$(echo "$f/2" | bc -l)
  sox -n -r $rate -c 1 -b 16 "$tmp/$n-pad.wav" synth 6 sine "$hr" sine "$ht" sine "$hf" channels 1 fade h 0.4 6 0.6 vol 0.35
  sox -m "$tmp/$n-arp.wav" "$tmp/$n-pad.wav" "$tmp/$n.wav"
}
chord c  523.25 659.25 783.99
chord am 440.00 523.25 659.25
chord f  349.23 440.00 523.25
chord g  392.00 493.88 587.33
sox "$tmp/c.wav" "$tmp/am.wav" "$tmp/f.wav" "$tmp/g.wav" -r $rate -c 1 -b 16 "$out/hold-music.wav" norm -6
say() { # name text
  espeak-ng -v en-us -s 150 -w "$tmp/$1-raw.wav" "$2"
  sox "$tmp/$1-raw.wav" -r 8000 -c 1 -b 16 "$out/$1.wav" norm -3 pad 0.1 0.2
}
say nothing-parked "There is no call parked here. Goodbye."
say nobody-available "Sorry, no one is available to take your call. Goodbye."
say parked "Your call is parked. Please hold."
# The parked-slot announcement (sip ConsultPark): "Your call will be parked on" and one prompt per dialled character.
say park-announce "Your call will be parked on"
for d in 0:zero 1:one 2:two 3:three 4:four 5:five 6:six 7:seven 8:eight 9:nine star:star hash:pound; do
  say "digit-${d%%:*}" "${d#*:}"
done
