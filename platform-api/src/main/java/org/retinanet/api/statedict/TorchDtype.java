package org.retinanet.api.statedict;

import ai.djl.ndarray.types.DataType;

/** The element types of torch storages the reader understands, by storage class name. */
enum TorchDtype {
    FLOAT("FloatStorage", "float32", 4, DataType.FLOAT32),
    HALF("HalfStorage", "float16", 2, DataType.FLOAT16),
    DOUBLE("DoubleStorage", "float64", 8, DataType.FLOAT64),
    LONG("LongStorage", "int64", 8, DataType.INT64),
    INT("IntStorage", "int32", 4, DataType.INT32),
    SHORT("ShortStorage", "int16", 2, DataType.INT16),
    CHAR("CharStorage", "int8", 1, DataType.INT8),
    BYTE("ByteStorage", "uint8", 1, DataType.UINT8),
    BOOL("BoolStorage", "bool", 1, DataType.BOOLEAN),
    /** Widened to float32 on read (exact: bf16 is float32 with the low 16 mantissa bits dropped). */
    BFLOAT16("BFloat16Storage", "bfloat16", 2, DataType.FLOAT32),
    /** torch 2.x raw bytes. */
    UNTYPED("UntypedStorage", "uint8", 1, DataType.UINT8);

    final String storageClass;
    final String torchName;
    final int elementSize;
    /** The DJL type of the array the reader creates. */
    final DataType djlType;

    TorchDtype(String storageClass, String torchName, int elementSize, DataType djlType) {
        this.storageClass = storageClass;
        this.torchName = torchName;
        this.elementSize = elementSize;
        this.djlType = djlType;
    }

    /** The dtype of storage class {@code torch.<name>} (also {@code torch.cuda.<name>}), or null. */
    static TorchDtype ofStorageClass(String module, String name) {
        if (!module.equals("torch") && !module.equals("torch.cuda") && !module.equals("torch.storage")) {
            return null;
        }
        for (TorchDtype d : values()) {
            if (d.storageClass.equals(name)) {
                return d;
            }
        }
        return null;
    }
}
