"""A tiny H.264 Baseline encoder: every frame an IDR picture of uncompressed (I_PCM) macroblocks.

I_PCM carries the samples as they are, so no transform or entropy coding is needed and any
conforming decoder shows exactly the colours written. Syntax per ITU-T H.264 (7.3.2.1 SPS,
7.3.2.2 PPS, 7.3.3 slice header, 7.3.5 macroblock layer); emulation prevention per 7.4.1.
"""

from __future__ import annotations

from dataclasses import dataclass

PROFILE_BASELINE = 66
CONSTRAINTS = 0xC0  # constraint_set0 and set1: decodable by every Baseline/Main decoder
LEVEL = 30
MB = 16
I_PCM = 25  # mb_type of an I_PCM macroblock in an I slice


class BitWriter:
    """Bits most significant first; whole bytes go straight out once the writer is aligned."""

    def __init__(self) -> None:
        self._out = bytearray()
        self._pending = 0
        self._count = 0

    def u(self, bits: int, value: int) -> None:
        self._pending = (self._pending << bits) | (value & ((1 << bits) - 1))
        self._count += bits
        while self._count >= 8:
            self._count -= 8
            self._out.append((self._pending >> self._count) & 0xFF)
        self._pending &= (1 << self._count) - 1

    def ue(self, value: int) -> None:
        """Exp-Golomb: leading zeros, then value + 1 in binary."""
        code = value + 1
        self.u(code.bit_length() - 1, 0)
        self.u(code.bit_length(), code)

    def se(self, value: int) -> None:
        self.ue(2 * value - 1 if value > 0 else -2 * value)

    def align_zero(self) -> None:
        if self._count:
            self.u(8 - self._count, 0)

    def raw(self, data: bytes) -> None:
        """Bytes at a byte boundary (call `align_zero` first)."""
        self._out += data

    def trailing(self) -> bytes:
        """rbsp_trailing_bits: a stop bit then zeros to the byte boundary."""
        self.u(1, 1)
        self.align_zero()
        return bytes(self._out)


@dataclass(frozen=True, slots=True)
class Picture:
    """Display size and the macroblock grid that covers it (cropped back on display)."""

    width: int
    height: int

    @property
    def mbs_wide(self) -> int:
        return -(-self.width // MB)

    @property
    def mbs_high(self) -> int:
        return -(-self.height // MB)


def nal(kind: int, rbsp: bytes) -> bytes:
    """A NAL unit (nal_ref_idc 3) with emulation-prevention bytes inserted."""
    escaped = bytearray()
    zeros = 0
    for byte in rbsp:
        if zeros >= 2 and byte <= 3:
            escaped.append(3)
            zeros = 0
        escaped.append(byte)
        zeros = zeros + 1 if byte == 0 else 0
    return bytes([0x60 | kind]) + bytes(escaped)


def sps(picture: Picture) -> bytes:
    bits = BitWriter()
    bits.u(8, PROFILE_BASELINE)
    bits.u(8, CONSTRAINTS)
    bits.u(8, LEVEL)
    for value in (0, 0, 2, 1):  # sps id, log2_max_frame_num - 4, pic_order_cnt_type, max_num_ref_frames
        bits.ue(value)
    bits.u(1, 0)  # gaps_in_frame_num_value_allowed_flag
    bits.ue(picture.mbs_wide - 1)
    bits.ue(picture.mbs_high - 1)
    bits.u(1, 1)  # frame_mbs_only_flag
    bits.u(1, 1)  # direct_8x8_inference_flag
    right, bottom = picture.mbs_wide * MB - picture.width, picture.mbs_high * MB - picture.height
    bits.u(1, 1 if right or bottom else 0)
    if right or bottom:
        for offset in (0, right // 2, 0, bottom // 2):  # in 2-sample units for 4:2:0
            bits.ue(offset)
    bits.u(1, 0)  # vui_parameters_present_flag
    return nal(7, bits.trailing())


def pps() -> bytes:
    bits = BitWriter()
    bits.ue(0)
    bits.ue(0)
    bits.u(1, 0)  # CAVLC
    bits.u(1, 0)
    for value in (0, 0, 0):  # slice groups, l0 and l1 default active refs
        bits.ue(value)
    bits.u(1, 0)
    bits.u(2, 0)
    for value in (0, 0, 0):  # pic_init_qp, pic_init_qs, chroma_qp_index_offset
        bits.se(value)
    for _ in range(3):  # deblocking control, constrained intra, redundant pic cnt
        bits.u(1, 0)
    return nal(8, bits.trailing())


def idr_slice(picture: Picture, index: int, luma: int, cb: int, cr: int) -> bytes:
    """One IDR picture of a single colour (Y'CbCr samples), `index` its idr_pic_id."""
    bits = BitWriter()
    bits.ue(0)  # first_mb_in_slice
    bits.ue(7)  # I slice, all slices I
    bits.ue(0)  # pps id
    bits.u(4, 0)  # frame_num
    bits.ue(index % 65536)  # idr_pic_id: consecutive IDR pictures must differ
    bits.u(1, 0)  # no_output_of_prior_pics_flag
    bits.u(1, 0)  # long_term_reference_flag
    bits.se(0)  # slice_qp_delta
    samples = bytes([luma]) * (MB * MB) + bytes([cb]) * 64 + bytes([cr]) * 64
    for _ in range(picture.mbs_wide * picture.mbs_high):
        bits.ue(I_PCM)
        bits.align_zero()
        bits.raw(samples)
    return nal(5, bits.trailing())
