// The package names release/lossless.d.ts as its types but does not ship it; this is the part used here.
declare module "jpeg-lossless-decoder-js" {
  export class Decoder {
    decode(buffer: ArrayBuffer, offset: number, length: number, numBytes?: number): Uint8Array | Uint16Array;
  }
}
