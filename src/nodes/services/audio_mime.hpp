#pragma once

// What kind of audio a byte string holds, and the file name services expect for it.

#include <string>
#include <string_view>

namespace clara::nodes {

/// MIME type from the magic bytes (ID3 or an MPEG frame sync → audio/mpeg, RIFF…WAVE →
/// audio/wav, OggS → audio/ogg, EBML → audio/webm, fLaC → audio/flac, ….ftyp →
/// audio/mp4); empty when unknown.
std::string_view sniff_audio_mime(std::string_view bytes);

/// File extension for an audio MIME type, as transcription services detect formats by name:
/// mpeg/mp3 → mp3, wav → wav, ogg → ogg, webm → webm, flac → flac, mp4/m4a/aac → mp4;
/// anything else → mp3.
std::string audio_extension(std::string_view mime);

}  // namespace clara::nodes
