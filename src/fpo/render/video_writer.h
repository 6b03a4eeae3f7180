#pragma once
// Encodes RGB frames into a video file with FFmpeg's libraries; the container
// and codec follow the file name (.mp4/.mkv/.mov: H.264, .webm: VP9, .avi:
// MPEG-4 part 2; .png: one still image). The file is written under a
// temporary name and renamed by close(), so a failed or interrupted render
// never leaves a truncated video or replaces an existing one.
#include <string>

#include "fpo/render/frame.h"

struct AVFormatContext;
struct AVCodecContext;
struct AVStream;
struct AVFrame;
struct AVPacket;
struct SwsContext;

namespace fpo::render {

class VideoWriter {
 public:
  // Throws fpo::Error for an unknown extension, a size the codec cannot take
  // or a path that cannot be written.
  VideoWriter(const std::string& path, int width, int height, int fps);
  ~VideoWriter();  // without close(): removes the temporary file
  VideoWriter(const VideoWriter&) = delete;
  VideoWriter& operator=(const VideoWriter&) = delete;

  // Throws the constructor's error for an extension it does not take.
  static void check_extension(const std::string& path);

  void write(const Frame& frame);
  // Flushes the encoder, finishes the container and renames it into place.
  void close();
  int frames_written() const { return frames_; }
  std::string codec_name() const;

 private:
  void encode(AVFrame* frame);  // nullptr flushes
  void release();

  std::string path_, tmp_path_;
  int width_, height_;
  int frames_ = 0;
  bool closed_ = false;
  AVFormatContext* format_ = nullptr;
  AVCodecContext* codec_ = nullptr;
  AVStream* stream_ = nullptr;
  AVFrame* frame_ = nullptr;
  AVPacket* packet_ = nullptr;
  SwsContext* scaler_ = nullptr;
};

}  // namespace fpo::render
