/*
 * Fingerprints of an image, computed on this device: PDQ (perceptual), MD5 and
 * SHA-256 (exact). Used by the self-service page /protect, which sends these
 * fingerprints and never the image.
 *
 * PDQ follows the algorithm Meta published (ThreatExchange, "pdq"): luminance
 * Y = 0.299 R + 0.587 G + 0.114 B; images larger than 512 pixels on a side are
 * first shrunk to fit 512 x 512 (proportions kept, area average), as the reference's
 * Python hasher does (and rostra.safety.hashing, so both sides agree); a Jarosz
 * tent filter (two passes of a box filter along each axis, window
 * ceil(size / 128)) and decimation at the block centres give a 64 x 64 image;
 * its 2D DCT-II, coefficients 1..16 on each axis, gives 256 values; a bit is set
 * where a value is above their median. The quality (0-100) counts the gradients of
 * the 64 x 64 image: below 50 the picture is too plain for the perceptual hash to
 * be trusted. The hex is in the reference's order: the 16 bits of output row 15
 * first, each row as a 16-bit number, bit j for column j.
 *
 * No dependencies and no build step. Exposes:
 *   RostraHash.pdq(imageData)   -> {hash, quality}  (imageData: {width, height, data RGBA})
 *   RostraHash.md5(bytes)       -> hex               (bytes: Uint8Array)
 *   RostraHash.sha256(bytes)    -> Promise<hex>
 *   RostraHash.decode(blob)     -> Promise<{width, height, data}> (pixels as stored)
 *   RostraHash.hashFile(file)   -> Promise<{sha256, md5, pdq, quality}>
 */
(function (root) {
  "use strict";

  var LUMA_R = 0.299;
  var LUMA_G = 0.587;
  var LUMA_B = 0.114;
  var MIN_DIMENSION = 5; // smaller images get an all-zero hash of quality 0
  var PRE_SHRINK = 512;
  var JAROSZ_PASSES = 2;
  var SIDE = 64;
  var KEEP = 16;

  // Row i of the DCT-II basis, frequency i + 1 (the constant term is skipped), over 64 samples.
  var DCT = (function () {
    var m = new Float32Array(KEEP * SIDE);
    var scale = Math.sqrt(2 / SIDE);
    for (var i = 0; i < KEEP; i++) {
      for (var j = 0; j < SIDE; j++) {
        m[i * SIDE + j] = scale * Math.cos((Math.PI / (2 * SIDE)) * (i + 1) * (2 * j + 1));
      }
    }
    return m;
  })();

  function jaroszWindow(oldSize, newSize) {
    return Math.floor((oldSize + 2 * newSize - 1) / (2 * newSize));
  }

  // For each of `outSize` cells over `inSize` samples: the first sample it covers
  // and the share of each covered sample (areas, summing to 1).
  function areaWeights(inSize, outSize) {
    var scale = inSize / outSize;
    var starts = new Int32Array(outSize);
    var shares = [];
    for (var o = 0; o < outSize; o++) {
      var from = o * scale, to = Math.min(inSize, (o + 1) * scale);
      var first = Math.floor(from), last = Math.min(inSize, Math.ceil(to));
      var share = new Float64Array(last - first);
      for (var i = first; i < last; i++) {
        share[i - first] = (Math.min(to, i + 1) - Math.max(from, i)) / scale;
      }
      starts[o] = first;
      shares.push(share);
    }
    return { starts: starts, shares: shares };
  }

  // Luminance of the RGB channels (alpha ignored). A picture larger than 512 on a
  // side is first shrunk to fit 512 x 512, keeping its proportions, each new pixel
  // the average of the area it covers (as the reference's Python hasher does).
  function luminance(image) {
    var width = image.width, height = image.height, px = image.data;
    var rowLuma = new Float32Array(width);
    function lumaRow(y) {
      for (var x = 0, o = y * width * 4; x < width; x++, o += 4) {
        rowLuma[x] = LUMA_R * px[o] + LUMA_G * px[o + 1] + LUMA_B * px[o + 2];
      }
      return rowLuma;
    }
    var y, c;
    if (width <= PRE_SHRINK && height <= PRE_SHRINK) {
      var full = new Float32Array(width * height);
      for (y = 0; y < height; y++) full.set(lumaRow(y), y * width);
      return { luma: full, rows: height, cols: width };
    }
    var scale = PRE_SHRINK / Math.max(width, height);
    var cols = width >= height ? PRE_SHRINK : Math.max(1, Math.round(width * scale));
    var rows = height >= width ? PRE_SHRINK : Math.max(1, Math.round(height * scale));
    var across = areaWeights(width, cols);
    var down = areaWeights(height, rows);
    var narrow = new Float32Array(height * cols); // each row shrunk, not yet the columns
    for (y = 0; y < height; y++) {
      var line = lumaRow(y);
      for (c = 0; c < cols; c++) {
        var share = across.shares[c], start = across.starts[c], sum = 0;
        for (var k = 0; k < share.length; k++) sum += share[k] * line[start + k];
        narrow[y * cols + c] = sum;
      }
    }
    var luma = new Float32Array(rows * cols);
    var acc = new Float64Array(cols);
    for (var r = 0; r < rows; r++) {
      acc.fill(0);
      var weights = down.shares[r], first = down.starts[r];
      for (var i = 0; i < weights.length; i++) {
        var base = (first + i) * cols, w = weights[i];
        for (c = 0; c < cols; c++) acc[c] += w * narrow[base + c];
      }
      luma.set(acc, r * cols);
    }
    return { luma: luma, rows: rows, cols: cols };
  }

  // Mean over a window of `size` samples centred on each sample (the window is
  // cut at the edges and the mean taken over what remains). `count` samples from
  // `start`, `stride` apart, are read from `src` and written to `dst`.
  function boxMean(src, dst, start, count, stride, size) {
    var ahead = Math.floor((size + 2) / 2) - 1; // samples after the centre
    var behind = size - ahead - 1; // samples before it
    var sum = 0;
    var k;
    for (k = 0; k < ahead && k < count; k++) sum += src[start + k * stride];
    for (k = 0; k < count; k++) {
      var enter = k + ahead;
      if (enter < count) sum += src[start + enter * stride];
      var leave = k - behind - 1;
      if (leave >= 0) sum -= src[start + leave * stride];
      var first = k - behind < 0 ? 0 : k - behind;
      var last = enter < count ? enter : count - 1;
      dst[start + k * stride] = sum / (last - first + 1);
    }
  }

  function tentFilter(buffer, scratch, rows, cols) {
    var alongRows = jaroszWindow(cols, SIDE);
    var alongCols = jaroszWindow(rows, SIDE);
    for (var pass = 0; pass < JAROSZ_PASSES; pass++) {
      for (var r = 0; r < rows; r++) boxMean(buffer, scratch, r * cols, cols, 1, alongRows);
      for (var c = 0; c < cols; c++) boxMean(scratch, buffer, c, rows, cols, alongCols);
    }
  }

  // Samples at the centres of a 64 x 64 grid of blocks.
  function decimate(buffer, rows, cols) {
    var out = new Float32Array(SIDE * SIDE);
    for (var i = 0; i < SIDE; i++) {
      var r = Math.floor(((i + 0.5) * rows) / SIDE);
      for (var j = 0; j < SIDE; j++) {
        out[i * SIDE + j] = buffer[r * cols + Math.floor(((j + 0.5) * cols) / SIDE)];
      }
    }
    return out;
  }

  // Sum of the significant steps between neighbours, in whole percent of the
  // full range, scaled so that a busy photograph reaches 100.
  function quality(small) {
    var f = Math.fround;
    var total = 0;
    function step(u, v) {
      total += Math.abs(Math.trunc(f(f(f(u - v) * 100) / 255)));
    }
    for (var i = 0; i < SIDE; i++) {
      for (var j = 0; j < SIDE; j++) {
        if (i + 1 < SIDE) step(small[i * SIDE + j], small[(i + 1) * SIDE + j]);
        if (j + 1 < SIDE) step(small[i * SIDE + j], small[i * SIDE + j + 1]);
      }
    }
    return Math.min(100, Math.floor(total / 90));
  }

  // B = D A Dt, with D the 16 x 64 basis above: 16 x 16 coefficients.
  function dct16(small) {
    var partial = new Float32Array(KEEP * SIDE); // D A
    var i, j, k, sum;
    for (i = 0; i < KEEP; i++) {
      for (j = 0; j < SIDE; j++) {
        sum = 0;
        for (k = 0; k < SIDE; k++) sum += DCT[i * SIDE + k] * small[k * SIDE + j];
        partial[i * SIDE + j] = sum;
      }
    }
    var coefficients = new Float32Array(KEEP * KEEP);
    for (i = 0; i < KEEP; i++) {
      for (j = 0; j < KEEP; j++) {
        sum = 0;
        for (k = 0; k < SIDE; k++) sum += partial[i * SIDE + k] * DCT[j * SIDE + k];
        coefficients[i * KEEP + j] = sum;
      }
    }
    return coefficients;
  }

  function toBits(coefficients) {
    var sorted = Float32Array.from(coefficients).sort();
    var median = sorted[(coefficients.length - 1) >> 1]; // the lower of the two middle values
    var rows = new Uint16Array(KEEP);
    for (var i = 0; i < KEEP; i++) {
      for (var j = 0; j < KEEP; j++) {
        if (coefficients[i * KEEP + j] > median) rows[i] |= 1 << j;
      }
    }
    var hex = "";
    for (var r = KEEP - 1; r >= 0; r--) hex += ("000" + rows[r].toString(16)).slice(-4);
    return hex;
  }

  function pdq(image) {
    if (image.width < MIN_DIMENSION || image.height < MIN_DIMENSION) {
      return { hash: new Array(65).join("0"), quality: 0 };
    }
    var lum = luminance(image);
    var small;
    if (lum.rows === SIDE && lum.cols === SIDE) {
      small = lum.luma;
    } else {
      tentFilter(lum.luma, new Float32Array(lum.luma.length), lum.rows, lum.cols);
      small = decimate(lum.luma, lum.rows, lum.cols);
    }
    return { hash: toBits(dct16(small)), quality: quality(small) };
  }

  // ---- MD5 (RFC 1321) ----------------------------------------------------
  var MD5_SHIFTS = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];
  var MD5_CONSTANTS = (function () {
    var t = new Int32Array(64);
    for (var i = 0; i < 64; i++) t[i] = Math.floor(Math.abs(Math.sin(i + 1)) * 4294967296) | 0;
    return t;
  })();

  function md5Block(state, view, offset) {
    var a = state[0], b = state[1], c = state[2], d = state[3];
    for (var i = 0; i < 64; i++) {
      var mix, word;
      if (i < 16) {
        mix = (b & c) | (~b & d);
        word = i;
      } else if (i < 32) {
        mix = (d & b) | (~d & c);
        word = (5 * i + 1) & 15;
      } else if (i < 48) {
        mix = b ^ c ^ d;
        word = (3 * i + 5) & 15;
      } else {
        mix = c ^ (b | ~d);
        word = (7 * i) & 15;
      }
      var sum = (mix + a + MD5_CONSTANTS[i] + view.getInt32(offset + word * 4, true)) | 0;
      var shift = MD5_SHIFTS[(i >> 4) * 4 + (i & 3)];
      a = d;
      d = c;
      c = b;
      b = (b + ((sum << shift) | (sum >>> (32 - shift)))) | 0;
    }
    state[0] = (state[0] + a) | 0;
    state[1] = (state[1] + b) | 0;
    state[2] = (state[2] + c) | 0;
    state[3] = (state[3] + d) | 0;
  }

  function md5(bytes) {
    var state = new Int32Array([0x67452301, 0xefcdab89 | 0, 0x98badcfe | 0, 0x10325476]);
    var whole = bytes.length - (bytes.length % 64);
    var view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (var offset = 0; offset < whole; offset += 64) md5Block(state, view, offset);
    // The tail, a 0x80 byte, zeros, and the length in bits (64-bit little-endian).
    var rest = bytes.length - whole;
    var tail = new Uint8Array(rest < 56 ? 64 : 128);
    tail.set(bytes.subarray(whole));
    tail[rest] = 0x80;
    var tailView = new DataView(tail.buffer);
    var bits = bytes.length * 8;
    tailView.setUint32(tail.length - 8, bits % 4294967296, true);
    tailView.setUint32(tail.length - 4, Math.floor(bits / 4294967296), true);
    for (var t = 0; t < tail.length; t += 64) md5Block(state, tailView, t);
    var hex = "";
    var out = new DataView(state.buffer);
    for (var i = 0; i < 16; i++) hex += ("0" + out.getUint8(i).toString(16)).slice(-2);
    return hex;
  }

  // ---- SHA-256 (Web Crypto) ----------------------------------------------
  function sha256(bytes) {
    var subtle = root.crypto && root.crypto.subtle;
    if (!subtle) {
      return Promise.reject(new Error(
        "This browser offers no SHA-256 here: the page must be opened over https."));
    }
    return subtle.digest("SHA-256", bytes).then(function (digest) {
      var view = new Uint8Array(digest);
      var hex = "";
      for (var i = 0; i < view.length; i++) hex += ("0" + view[i].toString(16)).slice(-2);
      return hex;
    });
  }

  // ---- Decoding ----------------------------------------------------------
  // The EXIF orientation of a JPEG (1 when there is none): browsers turn the
  // picture upright on decoding, the reference hashes it as stored.
  function jpegOrientation(bytes) {
    if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return 1;
    var view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    var pos = 2;
    while (pos + 4 <= bytes.length) {
      if (bytes[pos] !== 0xff) return 1;
      var marker = bytes[pos + 1];
      if (marker === 0xff) { pos += 1; continue; } // padding
      if (marker === 0xda || marker === 0xd9) return 1; // the image data starts: no EXIF
      var length = view.getUint16(pos + 2);
      var isExif = marker === 0xe1 && length >= 16 && bytes[pos + 4] === 0x45 &&
        bytes[pos + 5] === 0x78 && bytes[pos + 6] === 0x69 && bytes[pos + 7] === 0x66 &&
        bytes[pos + 8] === 0 && bytes[pos + 9] === 0; // "Exif\0\0"
      if (isExif) return tiffOrientation(view, pos + 10, Math.min(pos + 2 + length, bytes.length));
      pos += 2 + length;
    }
    return 1;
  }

  function tiffOrientation(view, start, end) {
    if (start + 8 > end) return 1;
    var order = view.getUint16(start);
    if (order !== 0x4949 && order !== 0x4d4d) return 1; // "II" or "MM"
    var little = order === 0x4949;
    if (view.getUint16(start + 2, little) !== 42) return 1;
    var ifd = start + view.getUint32(start + 4, little);
    if (ifd + 2 > end) return 1;
    var entries = view.getUint16(ifd, little);
    for (var i = 0; i < entries; i++) {
      var entry = ifd + 2 + i * 12;
      if (entry + 12 > end) break;
      if (view.getUint16(entry, little) === 0x0112) {
        var value = view.getUint16(entry + 8, little);
        return value >= 1 && value <= 8 ? value : 1;
      }
    }
    return 1;
  }

  // The pixels as stored, from the upright ones the browser decoded: stored pixel
  // (x, y) of a width x height image sits, upright, where `orientation` put it.
  function unorient(upright, orientation) {
    if (orientation === 1) return upright;
    var swap = orientation >= 5;
    var width = swap ? upright.height : upright.width;
    var height = swap ? upright.width : upright.height;
    var from = new Uint32Array(upright.data.buffer, upright.data.byteOffset, width * height);
    var stored = new Uint8ClampedArray(width * height * 4);
    var to = new Uint32Array(stored.buffer);
    var uprightWidth = upright.width;
    for (var y = 0; y < height; y++) {
      for (var x = 0; x < width; x++) {
        var ux, uy;
        switch (orientation) {
          case 2: ux = width - 1 - x; uy = y; break;
          case 3: ux = width - 1 - x; uy = height - 1 - y; break;
          case 4: ux = x; uy = height - 1 - y; break;
          case 5: ux = y; uy = x; break;
          case 6: ux = height - 1 - y; uy = x; break;
          case 7: ux = height - 1 - y; uy = width - 1 - x; break;
          default: ux = y; uy = width - 1 - x; break; // 8
        }
        to[y * width + x] = from[uy * uprightWidth + ux];
      }
    }
    return { width: width, height: height, data: stored };
  }

  // The pixels as stored in the file: no colour-profile conversion and no EXIF
  // rotation (the reference reads raw values too), alpha not multiplied in.
  function decode(blob, bytes) {
    if (typeof root.createImageBitmap !== "function") {
      return Promise.reject(new Error("This browser cannot read images for fingerprinting."));
    }
    var orientation = bytes ? Promise.resolve(bytes) : readBytes(blob);
    return Promise.all([orientation, root.createImageBitmap(blob, {
      colorSpaceConversion: "none",
      premultiplyAlpha: "none",
    }).catch(function () {
      throw new Error("This browser cannot read this file as an image.");
    })]).then(function (done) {
      var bitmap = done[1];
      var width = bitmap.width, height = bitmap.height;
      var canvas = typeof root.OffscreenCanvas === "function"
        ? new root.OffscreenCanvas(width, height)
        : Object.assign(root.document.createElement("canvas"), { width: width, height: height });
      var ctx = canvas.getContext("2d", { willReadFrequently: true, colorSpace: "srgb" });
      ctx.drawImage(bitmap, 0, 0);
      if (bitmap.close) bitmap.close();
      return unorient(ctx.getImageData(0, 0, width, height), jpegOrientation(done[0]));
    });
  }

  function readBytes(file) {
    if (file.arrayBuffer) return file.arrayBuffer().then(function (b) { return new Uint8Array(b); });
    return new Promise(function (resolve, reject) {
      var reader = new FileReader();
      reader.onload = function () { resolve(new Uint8Array(reader.result)); };
      reader.onerror = function () { reject(reader.error); };
      reader.readAsArrayBuffer(file);
    });
  }

  function hashFile(file) {
    return readBytes(file).then(function (bytes) {
      return Promise.all([sha256(bytes), decode(file, bytes)]).then(function (done) {
        var perceptual = pdq(done[1]);
        return { sha256: done[0], md5: md5(bytes), pdq: perceptual.hash,
                 quality: perceptual.quality };
      });
    });
  }

  root.RostraHash = { pdq: pdq, md5: md5, sha256: sha256, decode: decode, hashFile: hashFile };
})(typeof self !== "undefined" ? self : this);
