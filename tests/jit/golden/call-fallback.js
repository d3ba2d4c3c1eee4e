(function region(cpu, budget, pc0) {
  const s = cpu.i32, f = cpu.f64, dv = cpu.rdv, ram = cpu.ram, tR = cpu.tagR, tW = cpu.tagW, to = cpu.toff;
  const ip0 = f[192] - D[pc0];
  let r2 = s[4], h2 = s[5], r3 = s[6], h3 = s[7], r4 = s[8], h4 = s[9], r7 = s[14], h7 = s[15];
  let sse = (s[80] & 12) === 0 && (s[83] & 512) !== 0;
  let fop = 0, fsz = 0, fr = 0, frh = 0, fa = 0, fah = 0, fb = 0, fbh = 0, fcin = 0, fmask = 0, fcf = -1, fov = -1, fia = 0, fib = 0;
  let n = 0, pb = 0, pc = pc0, xr = 0, xa = 0, xb = 0, xv = 0, cur = 0, chk = 0, ea = 0, ua = 0, ub = 0, hit = false, pg = 0, ti = 0, po = 0, m = 0, mh = 0, t = 0, th = 0, u = 0, uh = 0;
  try {
    L: for (; ; ) {
      switch (pc) {
        case 0:
          // 100000: push rbx
          ua = r4 + -8 | 0;
          if (h4 === 0 && ua >>> 0 < r4 >>> 0) {
            ea = ua >>> 0;
            ti = ua >>> 12 & 16383;
            po = ua & 4095;
            hit = tW[ti] === ua >>> 12 && po <= 4088;
            pb = to[ti] + po;
          } else {
            ea = h4 * 4294967296 + (r4 >>> 0) + -8;
            pg = Math.floor(ea / 4096);
            ti = pg & 16383;
            po = ea & 4095;
            hit = tW[ti] === pg && po <= 4088;
            pb = to[ti] + po;
          }
          t = r3;
          th = h3;
          if (hit) {
            dv.setInt32(pb, t, true);
            dv.setInt32(pb + 4, th, true);
          } else {
            cur = 0;
            J.wr(cpu, ea, 8, t, th);
            chk = 1;
          }
          if (r4 >>> 0 < 8) h4 = h4 - 1 | 0;
          r4 = r4 - 8 | 0;
          if (chk !== 0) {
            chk = 0;
            if (s[111] !== 0) {
              xr = ip0 + 1;
              n += 1;
              break L;
            }
          }
          // 100001: mov rbx,rdi
          r3 = r7;
          h3 = h7;
          // 100004: xor edx,edx
          t = r2 ^ r2 | 0;
          fop = 4;
          fsz = 4;
          fr = t;
          frh = 0;
          fmask = 2261;
          fcf = -1;
          fov = -1;
          r2 = t;
          h2 = 0;
          // 100006: div rbx
          s[6] = r3;
          s[7] = h3;
          s[8] = r4;
          s[9] = h4;
          s[14] = r7;
          s[15] = h7;
          s[4] = r2;
          s[5] = h2;
          if (fmask !== 0) {
            s[34] = fop;
            s[35] = fsz;
            s[36] = fr;
            s[37] = frh;
            s[38] = fa;
            s[39] = fah;
            s[40] = fb;
            s[41] = fbh;
            s[42] = fcin;
            s[33] = fmask;
            fmask = 0;
            if (fcf >= 0) {
              s[32] = s[32] & -2 | fcf;
            }
          }
          if (fov !== -1) {
            J.putFlags(s, 2049, fov === -2 ? fia * fib !== Math.imul(fia, fib) ? 2049 : 0 : fov);
            fov = -1;
          }
          f[192] = ip0 + 9;
          cur = 3;
          H[3](cpu, I[3]);
          r3 = s[6];
          h3 = s[7];
          r4 = s[8];
          h4 = s[9];
          r7 = s[14];
          h7 = s[15];
          r2 = s[4];
          h2 = s[5];
          sse = (s[80] & 12) === 0 && (s[83] & 512) !== 0;
          if (s[111] !== 0) {
            xr = f[192];
            n += 4;
            break L;
          }
          // 100009: pop rbx
          ua = r4 + 0 | 0;
          if (h4 === 0) {
            ea = ua >>> 0;
            ti = ua >>> 12 & 16383;
            po = ua & 4095;
            hit = tR[ti] === ua >>> 12 && po <= 4088;
            pb = to[ti] + po;
          } else {
            ea = h4 * 4294967296 + (r4 >>> 0) + 0;
            pg = Math.floor(ea / 4096);
            ti = pg & 16383;
            po = ea & 4095;
            hit = tR[ti] === pg && po <= 4088;
            pb = to[ti] + po;
          }
          if (hit) {
            m = dv.getInt32(pb, true);
            mh = dv.getInt32(pb + 4, true);
          } else {
            cur = 4;
            m = J.rd(cpu, ea, 8, false) | 0;
            mh = cpu.hi | 0;
          }
          r4 = r4 + 8 | 0;
          if (r4 >>> 0 < 8) h4 = h4 + 1 | 0;
          r3 = m;
          h3 = mh;
          // 10000a: call 000000000010000Fh
          ua = r4 + -8 | 0;
          if (h4 === 0 && ua >>> 0 < r4 >>> 0) {
            ea = ua >>> 0;
            ti = ua >>> 12 & 16383;
            po = ua & 4095;
            hit = tW[ti] === ua >>> 12 && po <= 4088;
            pb = to[ti] + po;
          } else {
            ea = h4 * 4294967296 + (r4 >>> 0) + -8;
            pg = Math.floor(ea / 4096);
            ti = pg & 16383;
            po = ea & 4095;
            hit = tW[ti] === pg && po <= 4088;
            pb = to[ti] + po;
          }
          t = ip0 + 15;
          u = t | 0;
          uh = Math.floor(t / 4294967296) | 0;
          if (hit) {
            dv.setInt32(pb, u, true);
            dv.setInt32(pb + 4, uh, true);
          } else {
            cur = 5;
            J.wr(cpu, ea, 8, u, uh);
            chk = 1;
          }
          if (r4 >>> 0 < 8) h4 = h4 - 1 | 0;
          r4 = r4 - 8 | 0;
          if (chk !== 0) {
            chk = 0;
            if (s[111] !== 0) {
              xr = ip0 + 15;
              n += 6;
              break L;
            }
          }
          n += 6;
          pc = 1;
          continue L;
        case 1:
          B1: for (; ; ) {
            // 10000f: ret
            ua = r4 + 0 | 0;
            if (h4 === 0) {
              ea = ua >>> 0;
              ti = ua >>> 12 & 16383;
              po = ua & 4095;
              hit = tR[ti] === ua >>> 12 && po <= 4088;
              pb = to[ti] + po;
            } else {
              ea = h4 * 4294967296 + (r4 >>> 0) + 0;
              pg = Math.floor(ea / 4096);
              ti = pg & 16383;
              po = ea & 4095;
              hit = tR[ti] === pg && po <= 4088;
              pb = to[ti] + po;
            }
            if (hit) {
              m = dv.getInt32(pb, true);
              mh = dv.getInt32(pb + 4, true);
            } else {
              cur = 6;
              m = J.rd(cpu, ea, 8, false) | 0;
              mh = cpu.hi | 0;
            }
            t = mh * 4294967296 + (m >>> 0);
            if (t < -140737488355328 || t >= 140737488355328) {
              s[6] = r3;
              s[7] = h3;
              s[8] = r4;
              s[9] = h4;
              s[14] = r7;
              s[15] = h7;
              s[4] = r2;
              s[5] = h2;
              if (fmask !== 0) {
                s[34] = fop;
                s[35] = fsz;
                s[36] = fr;
                s[37] = frh;
                s[38] = fa;
                s[39] = fah;
                s[40] = fb;
                s[41] = fbh;
                s[42] = fcin;
                s[33] = fmask;
                fmask = 0;
                if (fcf >= 0) {
                  s[32] = s[32] & -2 | fcf;
                }
              }
              if (fov !== -1) {
                J.putFlags(s, 2049, fov === -2 ? fia * fib !== Math.imul(fia, fib) ? 2049 : 0 : fov);
                fov = -1;
              }
              f[192] = ip0 + 16;
              cur = 6;
              H[6](cpu, I[6]);
              return n + 1;
            }
            r4 = r4 + 8 | 0;
            if (r4 >>> 0 < 8) h4 = h4 + 1 | 0;
            u = t - ip0;
            if (u === 15) {
              n += 1;
              if (n >= budget) {
                xr = ip0 + 15;
                n += 0;
                break L;
              }
              continue B1;
            }
            xr = t;
            n += 1;
            break L;
          }
      }
      return n;
    }
    s[6] = r3;
    s[7] = h3;
    s[8] = r4;
    s[9] = h4;
    s[14] = r7;
    s[15] = h7;
    s[4] = r2;
    s[5] = h2;
    if (fmask !== 0) {
      s[34] = fop;
      s[35] = fsz;
      s[36] = fr;
      s[37] = frh;
      s[38] = fa;
      s[39] = fah;
      s[40] = fb;
      s[41] = fbh;
      s[42] = fcin;
      s[33] = fmask;
      fmask = 0;
      if (fcf >= 0) {
        s[32] = s[32] & -2 | fcf;
      }
    }
    if (fov !== -1) {
      J.putFlags(s, 2049, fov === -2 ? fia * fib !== Math.imul(fia, fib) ? 2049 : 0 : fov);
      fov = -1;
    }
    f[192] = xr;
    return n;
  } catch (e) {
    if (!(e instanceof J.CpuFault)) throw e;
    s[6] = r3;
    s[7] = h3;
    s[8] = r4;
    s[9] = h4;
    s[14] = r7;
    s[15] = h7;
    s[4] = r2;
    s[5] = h2;
    if (fmask !== 0) {
      s[34] = fop;
      s[35] = fsz;
      s[36] = fr;
      s[37] = frh;
      s[38] = fa;
      s[39] = fah;
      s[40] = fb;
      s[41] = fbh;
      s[42] = fcin;
      s[33] = fmask;
      fmask = 0;
      if (fcf >= 0) {
        s[32] = s[32] & -2 | fcf;
      }
    }
    if (fov !== -1) {
      J.putFlags(s, 2049, fov === -2 ? fia * fib !== Math.imul(fia, fib) ? 2049 : 0 : fov);
      fov = -1;
    }
    f[192] = ip0 + S[cur];
    cpu.jitFault = e;
    return n + R[cur];
  }
});
