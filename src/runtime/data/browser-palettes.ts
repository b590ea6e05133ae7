/**
 * Class palettes for drawing label maps: per dataset, each id's name and display colour.
 * Cityscapes: the 35 labelIds of cityscapesScripts; ADE20K: the 150 classes of objectInfo150
 * (model ids 0 … 149; id 150 is the don't-care / unknown id); cross-view: the six grey groups of
 * the LGGAN cross-view data (§3); other graphs: the synthetic scene classes or "class k".
 * Colours follow images/palette.ts (what sample grids show).
 */
import { labelPalette } from '../images/palette.ts';
import { SCENE_CLASSES } from './synthetic/classes.ts';

export interface PaletteClass {
  id: number;
  name: string;
  colour: readonly [number, number, number];
}

export interface ClassPalette {
  /** 'cityscapes', 'ade20k', 'cross-view', 'scene' or 'generic'. */
  kind: string;
  classes: PaletteClass[];
  /** The id for unknown / don't-care pixels (num_classes), drawn black. */
  unknownId: number;
}

const CITYSCAPES_NAMES = [
  'unlabeled', 'ego vehicle', 'rectification border', 'out of roi', 'static', 'dynamic', 'ground', 'road', 'sidewalk', 'parking',
  'rail track', 'building', 'wall', 'fence', 'guard rail', 'bridge', 'tunnel', 'pole', 'polegroup', 'traffic light',
  'traffic sign', 'vegetation', 'terrain', 'sky', 'person', 'rider', 'car', 'truck', 'bus', 'caravan',
  'trailer', 'train', 'motorcycle', 'bicycle', 'license plate',
];

const ADE20K_NAMES = (
  'wall,building,sky,floor,tree,ceiling,road,bed,windowpane,grass,cabinet,sidewalk,person,earth,door,table,mountain,plant,curtain,chair,' +
  'car,water,painting,sofa,shelf,house,sea,mirror,rug,field,armchair,seat,fence,desk,rock,wardrobe,lamp,bathtub,railing,cushion,' +
  'base,box,column,signboard,chest of drawers,counter,sand,sink,skyscraper,fireplace,refrigerator,grandstand,path,stairs,runway,case,pool table,pillow,screen door,stairway,' +
  'river,bridge,bookcase,blind,coffee table,toilet,flower,book,hill,bench,countertop,stove,palm,kitchen island,computer,swivel chair,boat,bar,arcade machine,hovel,' +
  'bus,towel,light,truck,tower,chandelier,awning,streetlight,booth,television receiver,airplane,dirt track,apparel,pole,land,bannister,escalator,ottoman,bottle,buffet,' +
  'poster,stage,van,ship,fountain,conveyer belt,canopy,washer,plaything,swimming pool,stool,barrel,basket,waterfall,tent,bag,minibike,cradle,oven,ball,' +
  'food,step,tank,trade name,microwave,pot,animal,bicycle,lake,dishwasher,screen,blanket,sculpture,hood,sconce,vase,traffic light,tray,ashcan,fan,' +
  'pier,crt screen,plate,monitor,bulletin board,shower,radiator,glass,clock,flag'
).split(',');

/** Cross-view grey groups (§3), with the Cityscapes colour of a class of each group for the colour semantic map. */
export const CROSS_VIEW_GROUPS: readonly { name: string; grey: number; colour: readonly [number, number, number] }[] = [
  { name: 'vehicle', grey: 10, colour: [0, 0, 142] },
  { name: 'road / sidewalk', grey: 20, colour: [128, 64, 128] },
  { name: 'pole / person', grey: 30, colour: [220, 20, 60] },
  { name: 'building', grey: 40, colour: [70, 70, 70] },
  { name: 'sky', grey: 50, colour: [70, 130, 180] },
  { name: 'vegetation', grey: 60, colour: [107, 142, 35] },
];

function fromNames(kind: string, names: readonly string[]): ClassPalette {
  const colours = labelPalette(names.length);
  return {
    kind,
    classes: names.map((name, id) => ({ id, name, colour: [colours[id * 3], colours[id * 3 + 1], colours[id * 3 + 2]] as const })),
    unknownId: names.length,
  };
}

/** The palette for a generator of `numClasses` classes (cross-view: its six groups). */
export function paletteFor(numClasses: number, crossView = false): ClassPalette {
  if (crossView) return { kind: 'cross-view', classes: CROSS_VIEW_GROUPS.map((g, id) => ({ id, name: `${g.name} (${g.grey})`, colour: g.colour })), unknownId: CROSS_VIEW_GROUPS.length };
  if (!Number.isInteger(numClasses) || numClasses < 1) throw new RangeError(`a palette needs a whole number of classes ≥ 1, got ${numClasses}`);
  if (numClasses === CITYSCAPES_NAMES.length) return fromNames('cityscapes', CITYSCAPES_NAMES);
  if (numClasses === ADE20K_NAMES.length) return fromNames('ade20k', ADE20K_NAMES);
  if (numClasses <= SCENE_CLASSES.length) return fromNames('scene', SCENE_CLASSES.slice(0, numClasses));
  return fromNames('generic', Array.from({ length: numClasses }, (_, k) => `class ${k}`));
}
