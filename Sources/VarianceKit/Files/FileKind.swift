import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What a path names, from `lstat(2)`.
package enum FileKind: Equatable, Sendable {
    case regularFile, directory, symbolicLink, characterDevice, blockDevice, fifo, socket, other

    package init(mode: mode_t) {
        switch mode & S_IFMT {
        case S_IFREG: self = .regularFile
        case S_IFDIR: self = .directory
        case S_IFLNK: self = .symbolicLink
        case S_IFCHR: self = .characterDevice
        case S_IFBLK: self = .blockDevice
        case S_IFIFO: self = .fifo
        case S_IFSOCK: self = .socket
        default: self = .other
        }
    }

    package var noun: String {
        switch self {
        case .regularFile: return "a file"
        case .directory: return "a directory"
        case .symbolicLink: return "a symbolic link"
        case .characterDevice: return "a character device"
        case .blockDevice: return "a block device"
        case .fifo: return "a FIFO (named pipe)"
        case .socket: return "a socket"
        case .other: return "not a regular file"
        }
    }
}
